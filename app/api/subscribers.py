"""API v1: each organisation's subscriber feed (contract: Operators), by version, and diffs between versions.

An ISP or mobile operator account reads its own organisation's feed only; reviewers and admins name one with
?organisation=NAME; applicants get 403. Files follow the whitelist files' rules (app/api/whitelist.py): ETag
is the body's sha256 (a .sig's, the signature's), If-None-Match gives 304, X-Whitelist-Serial names the
version, numbered versions are immutable. Errors name the version, format or organisation asked for, never
an identifier, and never say whether another organisation has subscribers.
"""
import re

from flask import abort, request
from flask_login import current_user

from app.api import bp
from app.api.whitelist import SERIAL, send_signed
from app.auth import role_required
from app.choices import Role, SubscriberFormat
from app.errors import api_error
from app.i18n import _
from app.models import IspOrganisation
from app.services import ServiceError
from app.services.isp_organisations import find_organisation, organisation_of
from app.services.publication import feeds, files

readers = role_required(*Role.WHITELIST_READERS)
FORMATS = ", ".join(SubscriberFormat.ALL)
NAME = re.compile(rf"(?P<ref>latest|{SERIAL.pattern})\.(?P<fmt>[a-z0-9]+)(?P<sig>\.sig)?")


def _organisation() -> IspOrganisation:
    """The caller's own organisation, or for staff the one named by ?organisation= (422 missing, 404 unknown)."""
    if current_user.role == Role.ISP:
        return organisation_of(current_user)
    name = request.args.get("organisation", "").strip()
    if not name:
        raise ServiceError(_("Name the organisation whose subscribers you want: ?organisation=NAME, e.g. "
                             "?organisation=Jazz."), field="organisation")
    organisation = find_organisation(name)
    if organisation is None:
        abort(404, description=_("No ISP organisation is called %(name)s; the admin pages list them.",
                                 name=repr(name[:100])))
    return organisation


def _serial(ref: str, what: str) -> int:
    """A version number from `latest` or a serial; 404 naming it when that version does not exist."""
    latest = files.latest_serial()
    if latest is None:
        abort(404, description=_("No whitelist has been published yet, so there is no subscriber feed."))
    serial = latest if ref == files.LATEST else int(ref)
    if serial > latest or serial < 1:
        abort(404, description=_("No whitelist version %(ref)s (%(what)s); the latest is %(latest)s.", ref=ref,
                                 what=what, latest=latest))
    return serial


@bp.get("/isp/subscribers/<name>")
@readers
def subscriber_file(name: str):
    """Your organisation's approved subscribers in one version: {serial|latest}.{csv|json|radius}, or .sig.

    csv/json: one row per subscription (identifier, kind, application_id, holder, approved_at, expires_at);
    radius: a FreeRADIUS `users` file giving each subscriber Filter-Id RADIUS_FILTER_ID (mobile numbers on
    Calling-Station-Id, E.164 digits; fixed accounts on User-Name). ETag is the body's sha256 and
    If-None-Match gives 304; X-Whitelist-Serial names the version. Reviewers and admins add
    ?organisation=NAME. The .sig body is the raw Ed25519 signature (GET /api/v1/signing-key).
    """
    match = NAME.fullmatch(name)
    if match is None or match["fmt"] not in SubscriberFormat.ALL:
        abort(404, description=_("No subscriber feed file %(name)s: expected %(pattern)s or %(signature)s, e.g. "
                                 "latest.radius; the formats are %(formats)s.", name=repr(name[:100]),
                                 pattern="{serial|latest}.{format}", signature="{serial|latest}.{format}.sig",
                                 formats=FORMATS))
    organisation = _organisation()
    ref, fmt, signature = match["ref"], match["fmt"], bool(match["sig"])
    serial = _serial(ref, _("asked for"))
    found = feeds.feed_ref(serial, organisation, fmt)
    if found is None:
        first = feeds.first_feed_serial(organisation)
        abort(404, description=_("%(organisation)s has no subscriber feed in whitelist version %(serial)s: its "
                                 "first is version %(first)s.", organisation=organisation.name, serial=serial,
                                 first=first) if first else
              _("%(organisation)s has no subscriber feed in whitelist version %(serial)s: none of its subscribers "
                "has been approved yet.", organisation=organisation.name, serial=serial))
    return send_signed(found, latest=ref == files.LATEST, signature=signature,
                       filename=f"raasta-subscribers-{organisation.id}-{found.serial}.{fmt}",
                       media_type=SubscriberFormat.MEDIA_TYPES[fmt])


@bp.get("/isp/subscribers/diff")
@readers
def subscriber_diff():
    """Your subscribers added and removed between two versions: ?from=N&to=M|latest.

    {"from", "to", "added": [identifier], "removed": [identifier]}; a version before your first feed counts
    as empty. Reviewers and admins add ?organisation=NAME.
    """
    problems, refs = {}, {}
    for arg in ("from", "to"):
        value = request.args.get(arg, "").strip()
        if value == files.LATEST or SERIAL.fullmatch(value):
            refs[arg] = value
        else:
            problems[arg] = (_("missing: a serial number or 'latest'") if not value
                             else _("%(value)s is not a serial number or 'latest'", value=repr(value[:20])))
    if problems:
        return api_error(400, _("Give ?from=N&to=M (serial numbers, or 'latest'); bad or missing: %(args)s.",
                                args=", ".join(problems)), details=problems)
    organisation = _organisation()
    serials = {arg: _serial(ref, arg) for arg, ref in refs.items()}
    return feeds.feed_diff(serials["from"], serials["to"], organisation)
