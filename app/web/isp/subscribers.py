"""The operator's subscriber feed pages: its own feed in the latest version, downloads, and a diff.

For isp accounts only, each reading its own organisation's feed (publication.feeds); the bytes are the ones
the API serves. Staff read an operator's feed through the API with ?organisation=NAME.
"""
from flask import abort, render_template, request
from flask_login import current_user

from app.choices import SubscriberFormat
from app.config import REPO_ROOT
from app.services.isp_organisations import organisation_of
from app.services.publication import feeds, files
from app.web.isp import bp, isp_only
from app.web.isp.routes import send_body, send_signature

DOC = REPO_ROOT / "docs" / "isp" / "subscribers.md"
DIFF_SHOWN = 2000  # identifiers listed per side; the API's diff gives them all


def _feed_or_404(serial: int, fmt: str) -> feeds.FeedRef:
    found = feeds.feed_ref(serial, organisation_of(current_user), fmt) if fmt in SubscriberFormat.ALL else None
    if found is None:
        abort(404)
    return found


@bp.get("/subscribers/<int:serial>/<fmt>")
@isp_only
def subscriber_download(serial: int, fmt: str):
    return send_body(_feed_or_404(serial, fmt), f"raasta-subscribers-{serial}.{fmt}",
                     SubscriberFormat.MEDIA_TYPES[fmt])


@bp.get("/subscribers/<int:serial>/<fmt>/signature")
@isp_only
def subscriber_signature(serial: int, fmt: str):
    return send_signature(_feed_or_404(serial, fmt), f"raasta-subscribers-{serial}.{fmt}")


@bp.get("/subscribers/diff")
@isp_only
def subscriber_diff():
    """The organisation's subscribers added and removed since version ?from=N (default: the one before)."""
    organisation = organisation_of(current_user)
    latest = files.latest_serial()
    if latest is None:
        abort(404)
    old = request.args.get("from", type=int, default=latest - 1)
    if not 1 <= old <= latest:
        abort(404)
    changes = feeds.feed_diff(old, latest, organisation)
    return render_template("isp/subscriber_diff.html", organisation=organisation, changes=changes, shown=DIFF_SHOWN)


@bp.get("/subscribers/help")
@isp_only
def subscriber_docs():
    """docs/isp/subscribers.md as it ships: how a BRAS/RADIUS or a mobile core uses the feed."""
    try:
        text = DOC.read_text(encoding="utf-8")
    except OSError:
        abort(404)
    return render_template("isp/subscriber_docs.html", text=text)
