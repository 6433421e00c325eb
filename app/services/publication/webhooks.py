"""Webhook notices to ISP organisations on every new whitelist version.

publish() calls queue_notices() inside the publishing transaction: one WebhookDelivery row per
organisation with a webhook, and, once that commits, one queue job per row. The job POSTs a small
JSON notice signed with the whitelist key (X-Raasta-Signature: base64 Ed25519 of the exact body),
so an ISP can check it offline with the same public key as the lists. Each try is recorded on the
row (attempts, last status, last error); RQ retries with backoff, and after the last retry the
delivery is marked failed. Redirects are not followed, and a URL whose host resolves to
non-public space is refused unless WEBHOOK_ALLOW_PRIVATE_HOSTS is set (the portal must not be
usable to probe the regulator's own network).
"""
import base64
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from flask import current_app
from netaddr import IPAddress
from sqlalchemy import select, update

from app import audit
from app.addresses import AddressRange
from app.addresses.special import (
    reaches_outside_global_unicast,
    special_blocks_touching,
)
from app.choices import DeliveryState
from app.extensions import db
from app.i18n import _
from app.models import IspOrganisation, WebhookDelivery, WhitelistVersion
from app.models.types import utcnow
from app.queues import DELIVER_WEBHOOK, WEBHOOK_FAILED
from app.services import ServiceError, job_outbox
from app.services.endpoints import host_problem
from app.services.publication import signing
from app.services.publication.feeds import feeds_of
from app.services.publication.files import files_of

URL_MAX = 500
RECENT_DELIVERIES = 20
ERROR_SHOWN = 500  # characters of a failed delivery's error kept for the ISP to read
SIGNATURE_HEADER = "X-Raasta-Signature"


def clean_url(url: str | None) -> str | None:
    """The webhook URL to store: http(s) with a host name or public address; None removes the webhook."""
    if url is None or (isinstance(url, str) and not url.strip()):
        return None
    if not isinstance(url, str):
        raise ServiceError(_("Send the webhook URL as text, or null to remove it."), field="url")
    url = url.strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise ServiceError(_("%(url)s is not an http or https URL; type it as %(example)s.", url=repr(url),
                             example="https://host/path"), field="url")
    if parts.username or parts.password:
        raise ServiceError(_("Leave user names and passwords out of the webhook URL; check the %(header)s header "
                             "instead.", header=SIGNATURE_HEADER), field="url")
    if len(url) > URL_MAX:
        raise ServiceError(_("Keep the webhook URL under %(most)s characters.", most=URL_MAX), field="url")
    try:
        parts.port  # noqa: B018  (raises ValueError on a port out of range)
    except ValueError:
        raise ServiceError(_("The port in %(url)s is not a number from 1 to 65535.", url=repr(url)),
                           field="url") from None
    problem = host_problem(host)
    if problem:
        raise ServiceError(_("The host in %(url)s: %(problem)s", url=repr(url), problem=problem), field="url")
    if _is_address(host) and _private(host):
        raise ServiceError(_("%(host)s is not a public address; the webhook must be reachable on the internet.",
                             host=host), field="url")
    return url


def _is_address(host: str) -> bool:
    return ":" in host or host.replace(".", "").isdigit()


def _private(address: str) -> bool:
    """True for loopback, private, link-local and every other special-purpose address."""
    if current_app.config.get("WEBHOOK_ALLOW_PRIVATE_HOSTS"):
        return False
    ip = IPAddress(address.split("%", 1)[0])
    rng = AddressRange(ip.version, int(ip), int(ip))
    return bool(special_blocks_touching(rng)) or reaches_outside_global_unicast(rng)


def set_webhook(organisation: IspOrganisation, url: str | None, actor) -> IspOrganisation:
    """Set or (with an empty URL) remove the organisation's webhook. The caller commits."""
    url = clean_url(url)
    before = organisation.webhook_url
    if before == url:
        return organisation
    organisation.webhook_url = url
    audit.record("isp_organisation.webhook_set" if url else "isp_organisation.webhook_removed", organisation,
                 actor=actor, before=before, after=url)
    return organisation


def recent_deliveries(organisation: IspOrganisation, limit: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    return db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.organisation_id == organisation.id)
                              .order_by(WebhookDelivery.id.desc()).limit(limit)).all()


def retry_intervals() -> list[int]:
    return [int(n) for n in current_app.config["WEBHOOK_RETRY_INTERVALS"]]


def queue_notices(version: WhitelistVersion) -> list[WebhookDelivery]:
    """One delivery per organisation with a webhook, each queued once the transaction commits."""
    organisations = db.session.scalars(select(IspOrganisation).where(
        IspOrganisation.webhook_url.is_not(None), IspOrganisation.webhook_url != "").order_by(IspOrganisation.id)).all()
    deliveries = [WebhookDelivery(organisation_id=o.id, serial=version.serial, url=o.webhook_url,
                                  state=DeliveryState.PENDING) for o in organisations]
    if not deliveries:
        return []
    db.session.add_all(deliveries)
    db.session.flush()
    for delivery in deliveries:
        job_outbox.enqueue(DELIVER_WEBHOOK, delivery.id, job_id=f"webhook-{delivery.id}", retry=retry_intervals(),
                           on_failure=WEBHOOK_FAILED, timeout=current_app.config["WEBHOOK_TIMEOUT"] * 3)
    return deliveries


def notice_body(version: WhitelistVersion, organisation: IspOrganisation) -> bytes:
    """The exact bytes POSTed (and signed): serial, published_at and each format's URL and sha256; and, when
    the receiving organisation has a subscriber feed in this version, its own feed's ("subscribers"), never
    another organisation's."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    notice = {"serial": version.serial, "published_at": version.published_at.isoformat(),
              "formats": {f.format: {"url": f"{base}/api/v1/whitelist/{version.serial}.{f.format}",
                                     "sha256": f.sha256} for f in files_of(version)}}
    subscribers = feeds_of(version.serial, organisation)
    if subscribers:
        notice["subscribers"] = {f.format: {"url": f"{base}/api/v1/isp/subscribers/{version.serial}.{f.format}",
                                            "sha256": f.sha256} for f in subscribers}
    return json.dumps(notice, sort_keys=True, separators=(",", ":")).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status, recorded as a failure


def _post(url: str, body: bytes, timeout: float) -> tuple[int | None, str | None]:
    """(HTTP status, error text): error is None on a 2xx answer."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except OSError as exc:
        return None, f"cannot resolve {host}: {exc}"
    if any(_private(a) for a in addresses):
        return None, f"{host} resolves to a non-public address; refused"
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Raasta-Webhook/1",
        SIGNATURE_HEADER: base64.b64encode(signing.sign(body)).decode()})
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        location = exc.headers.get("Location") if 300 <= exc.code < 400 else None
        return exc.code, f"redirect to {location} not followed" if location else f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(reason).__name__}: {reason}"[:ERROR_SHOWN]


def pending_notice(delivery_id: int) -> tuple[str, bytes] | None:
    """The URL and body of one try of a delivery still pending; None when it was delivered or given up.

    Reads only: the caller ends its transaction before post_notice(), which may wait WEBHOOK_TIMEOUT seconds.
    """
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != DeliveryState.PENDING:
        return None
    return delivery.url, notice_body(db.session.get(WhitelistVersion, delivery.serial),
                                     db.session.get(IspOrganisation, delivery.organisation_id))


def post_notice(url: str, body: bytes) -> tuple[int | None, str | None]:
    """POST the notice: (HTTP status or None, error or None when the receiver answered 2xx)."""
    status, error = _post(url, body, current_app.config["WEBHOOK_TIMEOUT"])
    if error is None and not (status and 200 <= status < 300):
        error = f"HTTP {status}"
    return status, error


def record_try(delivery_id: int, url: str, status: int | None, error: str | None) -> str | None:
    """Record one try's outcome; returns the error to retry on, None when delivered. The caller commits.

    A compare-and-set on `pending`: a delivery already delivered or given up is never counted again.
    """
    values = {"attempts": WebhookDelivery.attempts + 1, "last_status": status, "last_error": error}
    if error is None:
        values.update(state=DeliveryState.DELIVERED, delivered_at=utcnow())
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                     WebhookDelivery.state == DeliveryState.PENDING).values(**values))
    return error and f"webhook {url}: {error}"


def mark_failed(delivery_id: int, error: str | None = None) -> None:
    """After the last retry: the delivery is given up, visibly. `error` replaces the last try's error
    when the job failed for another reason (e.g. a timeout). The caller commits."""
    values = {"state": DeliveryState.FAILED} | ({"last_error": error[:ERROR_SHOWN]} if error else {})
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                     WebhookDelivery.state == DeliveryState.PENDING).values(**values))
