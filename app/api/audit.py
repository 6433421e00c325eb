"""GET /api/v1/audit: an application's timeline for its applicant, the whole trail for staff."""
from datetime import date

from flask import abort, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.api import bp
from app.auth import role_required
from app.choices import Role
from app.extensions import db
from app.i18n import _
from app.models import Application

PER_PAGE = 200
STAFF_FILTERS = ("actor", "action", "subject_type", "subject_id", "since", "until")


def _int_arg(name: str, default: int | None = None) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit():
        abort(400, description=_("?%(name)s= must be a whole number, not %(value)s.", name=name, value=repr(value)))
    if len(value) > 9:
        abort(400, description=_("?%(name)s=%(value)s is beyond anything stored; give a number under a billion.",
                                 name=name, value=value))
    return int(value)


def _date_arg(name: str) -> date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=_("?%(name)s= must be a date as YYYY-MM-DD, not %(value)s.", name=name,
                                 value=repr(value)))


def _applicant_filter(application_id: int | None) -> dict:
    """An applicant's events are their applications' events; anyone else's application is a 404."""
    if any(request.args.get(name) for name in STAFF_FILTERS):
        abort(403, description=_("Filtering by actor, action, subject or date is for reviewers and admins; "
                                 "use ?application={id}."))
    owned = select(Application.id).where(Application.applicant_id == current_user.id)
    if application_id is not None:
        owned = owned.where(Application.id == application_id)
    ids = [str(i) for i in db.session.scalars(owned)]
    if application_id is not None and not ids:
        abort(404, description=_("You have no application %(id)s.", id=application_id))
    return {"subject_type": "application", "subject_ids": ids}


def _staff_filter(application_id: int | None) -> dict:
    filters = {name: request.args.get(name) or None for name in ("actor", "action", "subject_type", "subject_id")}
    filters |= {"since": _date_arg("since"), "until": _date_arg("until")}
    if application_id is not None:
        filters |= {"subject_type": "application", "subject_id": str(application_id)}
    return filters


@bp.get("/audit")
@role_required(Role.APPLICANT, *Role.STAFF)
def audit_events():
    """Audit events, oldest first; ?application={id} gives one application's timeline.

    Each event is {seq, at, actor, action, subject, data, hash}. Reviewers and admins see every
    event, may filter by ?actor= (id or part of an email), ?action= (a prefix such as "user."),
    ?subject_type=, ?subject_id=, ?since= and ?until= (YYYY-MM-DD, UTC, both included), and also get
    source_ip, prev_hash and reviewers' internal notes. Applicants see only their own applications'
    events (another's is 404). ISPs get 403. Pages of 200: ?page=N, and a Link rel="next" header
    while more remain.
    """
    application_id = _int_arg("application")
    page = max(_int_arg("page", 1), 1)
    staff = current_user.has_role(*Role.STAFF)
    query = audit.search(**(_staff_filter if staff else _applicant_filter)(application_id))
    events = db.session.scalars(query.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    response = jsonify([audit.event_dict(event, staff=staff) for event in events[:PER_PAGE]])
    if len(events) > PER_PAGE:
        # Only the filters this endpoint knows: a stray ?_external= or ?_method= must not reach url_for.
        args = {k: v for k, v in request.args.items() if k in STAFF_FILTERS + ("application",)} | {"page": page + 1}
        response.headers["Link"] = f'<{url_for("api.audit_events", _external=True, **args)}>; rel="next"'
    return response
