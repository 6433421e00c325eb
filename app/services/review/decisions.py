"""A reviewer's decisions on one application: reject, ask for information, override a finding, notes.

Each decision locks the application row before it checks the state (services.locks), changes it
through transitions.move() (itself a compare-and-set) and records who decided and why in the same
transaction. The caller commits.
"""
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.choices import BatchState, FindingCode, Severity, State
from app.extensions import db
from app.i18n import _, _l
from app.models import (
    Application,
    Batch,
    Finding,
    Override,
    ReviewNote,
    batch_applications,
)
from app.services import Conflict, NotAllowed, ServiceError
from app.services.fees.charges import cancel_unpaid
from app.services.id_lists import among
from app.services.locks import locked
from app.services.review import isp_confirmation_rule
from app.services.transitions import can_move, move, state_words

BATCHABLE_STATES = State.REVIEWABLE


def required_text(value, field: str, what) -> str:
    """`value` stripped, or a 422 naming `field` when it is missing, blank or not text (a number or a list
    sent by a script). `what`: what to write, in words (lazy: `_l`), e.g. "the note"."""
    if value is not None and not isinstance(value, str):
        raise ServiceError(_("%(field)s must be text: write %(what)s as a string.", field=field, what=what),
                           field=field)
    text = (value or "").strip()
    if not text:
        raise ServiceError(_("Write %(what)s; it cannot be empty.", what=what), field=field)
    return text


def acting(actor):
    """The reviewer making a decision: `actor`, else whoever is signed in to this request."""
    if actor is not None:
        return actor
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    raise NotAllowed(_("A signed-in reviewer must make this decision."))


def lock_application(application: Application) -> Application:
    """The same application, its row locked and read fresh, so the checks below see the latest state."""
    return locked(select(Application).where(Application.id == application.id))[0]


def _refuse_if_batched(application: Application) -> None:
    batch = pending_batch_ids([application.id]).get(application.id)
    if batch is not None:
        raise Conflict(_("Application %(id)s is in batch %(batch)s, awaiting approval; take it out of that batch "
                         "first (or cancel the batch), or let it be approved.", id=application.id, batch=batch),
                       details={"batch_id": batch})


def _decide(application: Application, new_state: str, text: str, actor, **data) -> None:
    lock_application(application)
    if not can_move(application, new_state):
        raise Conflict(_("Application %(id)s is %(state)s; only a ready or flagged application can become "
                         "%(requested)s.", id=application.id, state=state_words(application.state),
                         requested=state_words(new_state)), details={"state": application.state})
    _refuse_if_batched(application)
    application.reviewer_message = text  # the applicant reads it on their page and in the notification
    move(application, new_state, actor=acting(actor), **data)


def reject(application: Application, reason: str, actor=None) -> None:
    reason = required_text(reason, "reason", _l("the reason for the rejection (the applicant reads it)"))
    _decide(application, State.REJECTED, reason, actor, reason=reason)
    cancel_unpaid(application, "application rejected")


def request_information(application: Application, message: str, actor=None) -> None:
    message = required_text(message, "message", _l("what the applicant should add or correct"))
    _decide(application, State.NEEDS_INFO, message, actor, message=message)


def open_error_codes(application: Application) -> list[str]:
    """Codes of the application's error findings that no reviewer has overridden yet."""
    return open_error_codes_of([application.id]).get(application.id, [])


def open_error_codes_of(application_ids: list[int]) -> dict[int, list[str]]:
    """open_error_codes() for many applications in two queries; applications with none are left out."""
    errors = db.session.execute(select(Finding.application_id, Finding.code).distinct().where(
        among(Finding.application_id, application_ids), Finding.severity == Severity.ERROR)).all()
    overridden = {tuple(row) for row in db.session.execute(select(Override.application_id, Override.code).where(
        among(Override.application_id, application_ids)))}
    codes: dict[int, set[str]] = {}
    for application_id, code in errors:
        if (application_id, code) not in overridden:
            codes.setdefault(application_id, set()).add(code)
    return {application_id: sorted(found) for application_id, found in codes.items()}


def override(application: Application, code: str, reason: str, actor=None) -> Override:
    """Accept one error finding code with a written reason; every later reader sees it.

    Also isp.pending, a warning, once the ISP's answer is overdue: under REQUIRE_ISP_CONFIRMATION that
    override is what lets an application the ISP never answered for be batched (isp_confirmation_rule)."""
    code = required_text(code, "code", _l("the finding code to override"))
    reason = required_text(reason, "reason", _l("why this finding does not stand in the way of approval"))
    actor = acting(actor)
    lock_application(application)
    if application.state not in BATCHABLE_STATES:
        raise Conflict(_("Application %(id)s is %(state)s; findings can be overridden only while it is ready or "
                         "flagged.", id=application.id, state=state_words(application.state)),
                       details={"state": application.state})
    existing = db.session.scalar(select(Override).where(Override.application_id == application.id,
                                                        Override.code == code))
    if existing is not None:
        raise Conflict(_("%(code)s on application %(id)s is already overridden.", code=code, id=application.id),
                       field="code")
    errors = {f.code for f in application.findings if f.severity == Severity.ERROR}
    if code == FindingCode.ISP_PENDING:
        isp_confirmation_rule.check_override(application)
    elif code not in errors:
        have = ", ".join(sorted(errors)) or _("none")
        raise ServiceError(_("Application %(id)s has no error finding %(code)s to override; its error codes are: "
                             "%(have)s.", id=application.id, code=repr(code), have=have), field="code")
    row = Override(application_id=application.id, code=code, reason=reason, reviewer_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("application.overridden", application, actor=actor, code=code, reason=reason)
    return row


def overrides_of(application: Application) -> list[Override]:
    return db.session.scalars(select(Override).where(Override.application_id == application.id)
                              .order_by(Override.created_at, Override.id)).all()


def add_note(application: Application, body: str, author) -> ReviewNote:
    """A note between reviewers. Its text goes in the audit event's internal part, which applicants never see."""
    body = required_text(body, "body", _l("the note"))
    author = acting(author)
    note = ReviewNote(application_id=application.id, author_id=author.id, body=body)
    db.session.add(note)
    db.session.flush()
    audit.record("application.note_added", application, actor=author, internal={"note_id": note.id, "note": body})
    return note


def notes_of(application: Application) -> list[ReviewNote]:
    return db.session.scalars(select(ReviewNote).where(ReviewNote.application_id == application.id)
                              .order_by(ReviewNote.created_at, ReviewNote.id)).all()


def pending_batch_ids(application_ids: list[int]) -> dict[int, int]:
    """application id -> the pending batch it is in, for those of `application_ids` that are in one."""
    return dict(db.session.execute(
        select(batch_applications.c.application_id, batch_applications.c.batch_id)
        .join(Batch, Batch.id == batch_applications.c.batch_id)
        .where(among(batch_applications.c.application_id, application_ids),
               Batch.state == BatchState.PENDING_APPROVAL)).all())


def batch_problem(application: Application) -> str | None:
    """Why the application cannot go into a batch now, or None when it can."""
    return batch_problems([application]).get(application.id)


def batch_problems(applications: list[Application], batch_id: int | None = None) -> dict[int, str]:
    """batch_problem() for many applications in three queries (five under REQUIRE_ISP_CONFIRMATION);
    `batch_id`: the batch they are already in."""
    ids = [a.id for a in applications]
    open_codes = open_error_codes_of(ids)
    batched = {a: b for a, b in pending_batch_ids(ids).items() if b != batch_id}
    unconfirmed = isp_confirmation_rule.batch_problems([a.id for a in applications if a.state in BATCHABLE_STATES])
    problems = {}
    for application in applications:
        if application.state not in BATCHABLE_STATES:
            problems[application.id] = _("is %(state)s; only ready applications, or flagged ones whose every error "
                                         "is overridden, can be batched", state=state_words(application.state))
        elif application.id in open_codes:
            problems[application.id] = _("has error findings not overridden (%(codes)s); override each with a "
                                         "written reason first", codes=", ".join(open_codes[application.id]))
        elif application.id in batched:
            problems[application.id] = _("is already in batch %(batch)s, awaiting approval",
                                         batch=batched[application.id])
        elif application.id in unconfirmed:
            problems[application.id] = unconfirmed[application.id]
    return problems
