"""API v1: the published whitelist for ISPs' scripts (see ../shared/contract.md).

Every body is served with ETag = its sha256 and honours If-None-Match with 304, which is what a
cron job polling `latest.ipset` every few minutes mostly gets: that answer loads no ORM object and
no body, and once this process has seen the token and the version, app/api/not_modified.py gives it
before Flask. Numbered versions never change (cached for a year, `immutable`); `latest` may be cached
for 60 s and is then revalidated with If-None-Match, which the ETag makes cheap.
"""
import hashlib
import json
import re

from flask import Response, abort, request, send_file, url_for

from app.api import bp
from app.auth import role_required
from app.choices import Role, WhitelistFormat
from app.errors import api_error
from app.i18n import _
from app.services.publication import files
from app.services.publication.signing import public_key_pem

readers = role_required(*Role.WHITELIST_READERS)

SERIAL = re.compile(r"[0-9]{1,9}")  # a serial fits the database's integer column
NAME = re.compile(rf"(?P<ref>latest|{SERIAL.pattern})\.(?P<fmt>[a-z0-9]+)(?P<sig>\.sig)?")
NAME_PATTERN = "{serial|latest}.{format} or {serial|latest}.{format}.sig, e.g. 12.txt or latest.ipset.sig"
IMMUTABLE = "private, max-age=31536000, immutable"
SHORT = "private, max-age=60"
SIGNATURE_TYPE = "application/octet-stream"
PEM_TYPE = "application/x-pem-file"


def _etag(sha256: str) -> str:
    return f'"{sha256}"'


def _not_modified(sha256: str) -> bool:
    # Weak comparison, as RFC 9110 asks for If-None-Match; "*" and lists are handled by Werkzeug.
    return request.if_none_match.contains_weak(sha256)


def _headers(serial: int | None, sha256: str, cache_control: str) -> dict:
    headers = {"ETag": _etag(sha256), "Cache-Control": cache_control}
    if serial is not None:
        headers["X-Whitelist-Serial"] = str(serial)
    return headers


def file_etag(found: files.FileRef, signature: bool) -> str:
    """A body's ETag is its sha256; a detached signature's, the sha256 of the signature."""
    return hashlib.sha256(found.signature).hexdigest() if signature else found.sha256


def file_headers(found: files.FileRef, latest: bool, signature: bool) -> dict:
    """ETag, Cache-Control and X-Whitelist-Serial of a file, for its 200 and its 304 alike."""
    return _headers(found.serial, file_etag(found, signature), SHORT if latest else IMMUTABLE)


def _formats_list() -> str:
    return ", ".join(WhitelistFormat.ALL)


def _absent(ref, fmt: str):
    """404 saying which of the version or the format is missing."""
    version = files.version_by_ref(ref)
    if version is None:
        if ref == files.LATEST:
            abort(404, description=_("No whitelist has been published yet."))
        latest = files.latest_serial()
        abort(404, description=_("No whitelist version %(ref)s; the latest is %(latest)s.", ref=ref, latest=latest)
              if latest else _("No whitelist version %(ref)s; the latest is none.", ref=ref))
    abort(404, description=_("Whitelist version %(serial)s has no format %(format)s; the formats are %(formats)s.",
                             serial=version.serial, format=repr(fmt), formats=_formats_list()))


def _version_json(version) -> dict:
    return {
        "serial": version.serial,
        "published_at": version.published_at.isoformat(),
        "entries": version.entry_count,
        "prefixes": version.prefix_count,
        "subscriptions": version.subscription_count,  # a count only: identifiers are in the operators' feeds
        "reason": version.reason,
        "audit_head": {"seq": version.audit_head_seq, "hash": version.audit_head_hash},
        "signing_key_url": url_for("api.signing_key", _external=True),
        "formats": {
            f.format: {
                "url": url_for("api.whitelist_file", name=f"{version.serial}.{f.format}", _external=True),
                "sha256": f.sha256,
                "size": f.size,
                "signature_url": url_for("api.whitelist_file", name=f"{version.serial}.{f.format}.sig",
                                         _external=True),
            } for f in files.files_of(version)
        },
    }


@bp.get("/whitelist")
@readers
def whitelist_metadata():
    """The latest published version: serial, counts, audit head and each format's URL, sha256 and size.

    The counts are entries, prefixes and subscriptions (a count only: the identifiers are in each operator's
    own feed, /api/v1/isp/subscribers/...). Carries an ETag; If-None-Match gives 304 while nothing new is published.
    """
    version = files.version_by_ref(files.LATEST)
    if version is None:
        abort(404, description=_("No whitelist has been published yet."))
    body = json.dumps(_version_json(version), sort_keys=True).encode()
    sha256 = hashlib.sha256(body).hexdigest()
    headers = _headers(version.serial, sha256, SHORT)
    if _not_modified(sha256):
        return Response(status=304, headers=headers)
    return Response(body, mimetype="application/json", headers=headers)


@bp.get("/whitelist/<name>")
@readers
def whitelist_file(name: str):
    """One format of one version: {serial|latest}.{format}, or its Ed25519 signature with .sig.

    Formats: txt csv json ipset nft cisco mikrotik. ETag is the body's sha256 (for .sig, the
    signature's) and If-None-Match gives 304; X-Whitelist-Serial names the version. Numbered versions
    are cached as immutable, `latest` for 60 s. The .sig body is the raw 64-byte signature, which
    `openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in body -sigfile body.sig` checks.
    """
    match = NAME.fullmatch(name)
    if match is None:
        abort(404, description=_("No whitelist file %(name)s: expected %(pattern)s; the formats are %(formats)s.",
                                 name=repr(name), pattern=NAME_PATTERN, formats=_formats_list()))
    ref, fmt, signature = match["ref"], match["fmt"], bool(match["sig"])
    if fmt not in WhitelistFormat.ALL:
        abort(404, description=_("No whitelist format %(format)s; the formats are %(formats)s.", format=repr(fmt),
                                 formats=_formats_list()))
    ref = ref if ref == files.LATEST else int(ref)
    found = files.file_ref(ref, fmt)
    if found is None:
        _absent(ref, fmt)
    return send_signed(found, latest=ref == files.LATEST, signature=signature,
                       filename=f"raasta-whitelist-{found.serial}.{fmt}", media_type=WhitelistFormat.MEDIA_TYPES[fmt])


def send_signed(found, latest: bool, signature: bool, filename: str, media_type: str) -> Response:
    """A stored, signed body (`found`: a files.FileRef or feeds.FeedRef) or its detached signature: ETag, 304
    on If-None-Match, X-Whitelist-Serial, the body streamed from the local cache. Whitelist files and the
    operators' subscriber feeds follow the same rules."""
    headers = file_headers(found, latest=latest, signature=signature)
    if _not_modified(file_etag(found, signature)):
        return Response(status=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{filename}' + ('.sig"' if signature else '"')
    if signature:
        return Response(found.signature, mimetype=SIGNATURE_TYPE, headers=headers)
    response = send_file(files.body_path(found.sha256, found.size), conditional=True, etag=False,
                         last_modified=found.published_at, max_age=None)
    # Set here, not through send_file's mimetype, which would add a second charset to text types.
    response.headers.update(headers, **{"Content-Type": media_type})
    return response


@bp.get("/whitelist/diff")
@readers
def whitelist_diff():
    """The aggregated CIDRs added and removed between two versions: ?from=N&to=M|latest.

    Removing "removed" from version N's txt lines and adding "added" gives exactly version M's;
    both lists are sorted IPv4 then IPv6, numerically.
    """
    problems = {}
    refs = {}
    for arg in ("from", "to"):
        value = request.args.get(arg, "").strip()
        if value == files.LATEST or SERIAL.fullmatch(value):
            refs[arg] = value if value == files.LATEST else int(value)
        else:
            problems[arg] = (_("missing: a serial number or 'latest'") if not value
                             else _("%(value)s is not a serial number or 'latest'", value=repr(value)))
    if problems:
        return api_error(400, _("Give ?from=N&to=M (serial numbers, or 'latest'); bad or missing: %(args)s.",
                                args=", ".join(problems)), details=problems)
    versions = {}
    for arg, ref in refs.items():
        versions[arg] = files.version_by_ref(ref)
        if versions[arg] is None:
            latest = files.latest_serial()
            abort(404, description=_("No whitelist version %(ref)s (%(what)s); the latest is %(latest)s.", ref=ref,
                                     what=arg, latest=latest) if latest
                  else _("No whitelist version %(ref)s (%(what)s); the latest is none: nothing is published yet.",
                         ref=ref, what=arg))
    return files.diff(versions["from"], versions["to"])


@bp.get("/signing-key")
@readers
def signing_key():
    """The Ed25519 public key (PEM) that signs every whitelist body and webhook notice."""
    pem = public_key_pem()
    sha256 = hashlib.sha256(pem).hexdigest()
    headers = _headers(None, sha256, "private, max-age=3600")
    if _not_modified(sha256):
        return Response(status=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="raasta-signing-key.pem"'
    return Response(pem, mimetype=PEM_TYPE, headers=headers)
