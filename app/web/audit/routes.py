"""Staff search over the audit trail, CSV and JSON-lines exports, and the timeline partial's helpers."""
from flask import Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from app import audit
from app.auth import role_required
from app.choices import Role
from app.extensions import db
from app.models.types import utcnow
from app.transactions import committed
from app.web.audit import bp
from app.web.audit.forms import AuditSearchForm

PER_PAGE = 50
EXPORT_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson"}


@bp.app_template_global()
def audit_view(event, staff: bool) -> dict:
    """An event as its reader may see it; templates/audit/_timeline.html renders this."""
    return audit.event_dict(event, staff=staff)


def _search_form() -> AuditSearchForm:
    form = AuditSearchForm(formdata=request.args)
    form.validate()
    return form


@bp.get("/")
@role_required(*Role.STAFF)
def search():
    form = _search_form()
    page = max(request.args.get("page", 1, type=int), 1)
    events = []
    if not form.errors:
        query = audit.search(**form.filters(), newest_first=True)
        events = db.session.scalars(query.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    return render_template("audit/search.html", form=form, events=events[:PER_PAGE], page=page,
                           has_more=len(events) > PER_PAGE,
                           filter_args={k: v for k, v in request.args.items() if k != "page"})


@bp.get("/export.<any(csv, jsonl):fmt>")
@role_required(*Role.STAFF)
def export(fmt: str):
    """Every matching event, oldest first, streamed: a year of events never sits in memory."""
    form = _search_form()
    if form.errors:
        problems = (f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items())
        abort(400, description="; ".join(problems))
    with committed():  # the export is itself audited before a line of it is sent
        query = audit.record_export(current_user, fmt, form.filters())
    filename = f"raasta-audit-{utcnow():%Y%m%d-%H%M%S}.{fmt}"
    return Response(stream_with_context(audit.export_lines(query, fmt)),
                    mimetype=EXPORT_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'})
