"""Text messages (the codes that prove a mobile number): sent only by the sms queue's job, once the change that
made the code has committed; never inside a request, which a slow gateway would hold up.

With SMS_URL set, each message is one HTTP POST of JSON to it:

    {"to": "+923001234567", "text": "Raasta code: ...", "reference": "raasta-sms-42"}

`reference` is the same on every try of one message, for a gateway that drops repeats (also sent as the
Idempotency-Key header); a user name and key in the URL (https://user:key@host/path) go as HTTP basic auth.
A 2xx answer means the gateway took it. Redirects are not followed. Otherwise each message becomes
instance/sms/<E.164 digits>-<time>-<reference>.txt holding its text, to read locally.

A message holds a code: nothing here logs a text, and no error raised here quotes it or the gateway's answer
(which may echo it back), since RQ keeps a failed job's error for an admin to read.
"""
import base64
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from app.models.types import utcnow

# The gateway's answers that another try of the same message cannot change (the number or the body is wrong,
# or the key is): the message is given up at once. Any other failure is tried again.
_RETRIED_4XX = {408, 425, 429}


class SmsNotSent(Exception):
    """The gateway did not take the message this time (no answer, or a 5xx): worth another try."""


class SmsRefused(Exception):
    """The gateway refused the message for good (a 4xx): another try would be refused the same way."""


def send_sms(config: dict, to: str, text: str, reference: str) -> None:
    """Send `text` to the E.164 number `to`; raises SmsNotSent (retry) or SmsRefused (give up)."""
    if config.get("SMS_URL"):
        _post(config["SMS_URL"], config["SMS_TIMEOUT"], to, text, reference)
    else:
        _write(Path(config["INSTANCE_DIR"]) / "sms", to, text, reference)


def _write(folder: Path, to: str, text: str, reference: str) -> None:
    """instance/sms/923001234567-<time>-<reference>.txt, complete or not at all (written aside, then renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{to.lstrip('+')}-{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{reference}.txt"
    partial = folder / f".{name}.partial"
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, folder / name)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status: not sent


def _post(url: str, timeout: int, to: str, text: str, reference: str) -> None:
    parts = urlsplit(url)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown = urlunsplit(parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")))  # no user:key
    headers = {"Content-Type": "application/json", "User-Agent": "Raasta-SMS/1", "Idempotency-Key": reference}
    if parts.username:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    body = json.dumps({"to": to, "text": text, "reference": reference}).encode()
    request = urllib.request.Request(shown, data=body, method="POST", headers=headers)
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SmsNotSent(f"SMS gateway {shown} not reached: {type(reason).__name__}") from None
    if 200 <= status < 300:
        return
    if 400 <= status < 500 and status not in _RETRIED_4XX:
        raise SmsRefused(f"SMS gateway {shown} refused the message: HTTP {status}")
    raise SmsNotSent(f"SMS gateway {shown} answered HTTP {status}")
