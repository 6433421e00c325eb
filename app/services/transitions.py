"""Every application state change goes through move(), checked against choices.TRANSITIONS.

move() is a compare-and-set on the row: `UPDATE ... WHERE id = :id AND state = :expected`. Of two
requests racing from the same state (withdraw against submit, two submits, a worker finishing a
validation the applicant just withdrew), exactly one changes the row and the other gets a 409.
"""
import functools

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from app import audit
from app.audit.bulk import record_many
from app.choices import TRANSITIONS, State
from app.extensions import db
from app.i18n import _, _l
from app.models import Application
from app.models.types import utcnow
from app.services import Conflict
from app.services.decision_clock import add_working_seconds, working_seconds_between
from app.services.holidays import calendar as clock_calendar
from app.services.holidays import decision_hours
from app.services.id_lists import among
from app.services.national_register import announce, announce_many, register_class
from app.services.notifications import notify_state, notify_state_many

# Timestamps that a state change stamps on the application.
_STAMPS = {
    State.VALIDATING: "submitted_at",
    State.READY: "validated_at",
    State.FLAGGED: "validated_at",
    State.APPROVED: "approved_at",
    State.REJECTED: "decided_at",
    State.NEEDS_INFO: "decided_at",
}


def clock_moves(previous: str, new_state: str) -> bool:
    """Whether moving previous -> new_state starts, pauses or restarts the decision clock."""
    return new_state == State.NEEDS_INFO or (new_state == State.VALIDATING
                                             and previous in (State.DRAFT, State.NEEDS_INFO))


def _clock_values(application: Application, previous: str, new_state: str, now, calendar) -> dict:
    """The decision clock's columns after previous -> new_state (see clock_moves; `calendar` a function giving the
    Calendar, called only when needed): the first submission sets the due time; entering needs_info keeps the working
    time left and pauses; the answer (submitted again) sets a new due time that far ahead. A draft that was
    submitted before (reopened to correct it) keeps its due time: the applicant chose to correct it."""
    due, remaining = application.decision_due_at, application.decision_clock_remaining
    if new_state == State.NEEDS_INFO:
        left = max(0, working_seconds_between(now, due, calendar())) if due else None
        return {"decision_clock_remaining": left}
    if previous == State.NEEDS_INFO:
        seconds = remaining if remaining is not None else decision_hours() * 3600
        return {"decision_due_at": add_working_seconds(now, seconds, calendar()), "decision_clock_remaining": None}
    if previous == State.DRAFT and due is None:
        return {"decision_due_at": add_working_seconds(now, decision_hours() * 3600, calendar())}
    return {}


def _calendar_once():
    """A function giving the decision clock's calendar, read from the database on the first call only."""
    return functools.cache(clock_calendar)


# A state's code as the services' messages name it ("needs info"), in the reader's language; the pages' words for
# the states are State.LABELS.
STATE_WORDS = {
    State.DRAFT: _l("draft"),
    State.VALIDATING: _l("validating"),
    State.VALIDATION_FAILED: _l("validation failed"),
    State.READY: _l("ready"),
    State.FLAGGED: _l("flagged"),
    State.NEEDS_INFO: _l("needs info"),
    State.APPROVED: _l("approved"),
    State.SUSPENDED: _l("suspended"),
    State.REJECTED: _l("rejected"),
    State.REVOKED: _l("revoked"),
    State.EXPIRED: _l("expired"),
    State.WITHDRAWN: _l("withdrawn"),
}


def state_words(state: str) -> str:
    """"needs info" for needs_info: a state in the words of the services' messages, in the current language."""
    return str(STATE_WORDS[state]) if state in STATE_WORDS else state.replace("_", " ")


def can_move(application: Application, new_state: str) -> bool:
    return new_state in TRANSITIONS[application.state]


def move(application: Application, new_state: str, actor=None, **data) -> None:
    """Change the state (a compare-and-set) and, in the same transaction, everything that goes with it:

    - the timestamp of the new state (_STAMPS: submitted_at, validated_at, approved_at, decided_at);
    - the audit event `application.<new_state>` with `data`;
    - a register announcement when the application enters or leaves the national register (pending or
      approved space: national_register.announce, sent to the workers' stream after the commit);
    - the applicant's notification of the new state, or of this move into it (notifications.notify_state,
      emailed after the commit).
    move_many() and move_each() do the same for many applications at once.
    """
    if not can_move(application, new_state):
        raise Conflict(  # in State.LABELS' words: applicants read this too
            _("Application %(id)s is %(state)s; it cannot become %(requested)s.", id=application.id,
              state=State.LABELS[application.state].lower(), requested=State.LABELS[new_state].lower()),
            details={"state": application.state, "requested": new_state},
        )
    previous, now = application.state, utcnow()
    clock = (_clock_values(application, previous, new_state, now, _calendar_once())
             if clock_moves(previous, new_state) else {})
    changed = db.session.execute(
        update(Application).where(Application.id == application.id, Application.state == previous)
        .values(state=new_state, **clock).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise Conflict(_("Application %(id)s changed while this was being done (it is no longer %(state)s); reload "
                         "it and try again.", id=application.id, state=State.LABELS[previous].lower()),
                       details={"state": previous, "requested": new_state})
    set_committed_value(application, "state", new_state)  # the row has it already; no second UPDATE
    for name, value in clock.items():
        set_committed_value(application, name, value)
    if new_state in _STAMPS:
        setattr(application, _STAMPS[new_state], now)  # the time the clock started from, to the microsecond
    audit.record(f"application.{new_state}", application, actor=actor, before=previous, after=new_state, **data)
    if register_class(previous) != register_class(new_state):
        announce(application)
    notify_state(application, previous)


def move_many(applications: list[Application], new_state: str, actor=None, values: dict | None = None,
              **data) -> None:
    """move() for thousands of applications at once (a batch approval, an expiry run).

    The same compare-and-set and the same trail: one `application.<new_state>` event, notification
    and register announcement per application, but written with a few bulk statements instead of
    several per application. `values` are further columns to set on every row (e.g. expires_at).
    """
    refused = [a for a in applications if not can_move(a, new_state)]
    if refused:
        raise Conflict(_("Applications %(ids)s cannot become %(state)s from the state they are in.",
                         ids=", ".join(str(a.id) for a in refused), state=state_words(new_state)),
                       details=[{"application_id": a.id, "state": a.state} for a in refused])
    now = utcnow()
    values = {**({_STAMPS[new_state]: now} if new_state in _STAMPS else {}), **(values or {})}
    before = {a.id: a.state for a in applications}
    for previous in set(before.values()):
        ids = [i for i, state in before.items() if state == previous]
        changed = db.session.execute(
            update(Application).where(among(Application.id, ids), Application.state == previous)
            .values(state=new_state, **values).execution_options(synchronize_session=False))
        if changed.rowcount != len(ids):
            raise Conflict(_("Some of applications %(first)s..%(last)s changed while this was being done (no longer "
                             "%(state)s); reload and try again.", first=ids[0], last=ids[-1],
                             state=state_words(previous)),
                           details={"state": previous, "requested": new_state})
    for application in applications:
        for name, value in {"state": new_state, **values}.items():
            set_committed_value(application, name, value)
    _move_clocks([(a, before[a.id], new_state) for a in applications], now)
    record_many(f"application.{new_state}", [
        (a, {"before": before[a.id], "after": new_state, **data}) for a in applications], actor=actor, at=now)
    announce_many([a.id for a in applications if register_class(before[a.id]) != register_class(new_state)])
    notify_state_many(applications)


def move_each(changes: list[tuple[Application, str, dict]], actor=None, then=None) -> list[Application]:
    """move() for a sub-batch of applications, each to its own state with its own event data.

    Still a compare-and-set per row: one `UPDATE ... WHERE id IN (...) AND state = :previous RETURNING id`
    per (previous, new) pair. An application no longer in the state it was read in is left alone and
    not returned (move() would raise Conflict for it, e.g. withdrawn while a worker checked it).
    `then(moved)` runs next, for the caller's own writes about the moved applications; the register
    announcements, notifications and audit events (one per application, as move() writes them) come
    last, so the audit head lock is held only from there to the commit.
    """
    refused = [a for a, new_state, _ in changes if not can_move(a, new_state)]
    if refused:
        raise Conflict(_("Applications %(ids)s cannot change to the state asked from the state they are in.",
                         ids=", ".join(str(a.id) for a in refused)),
                       details=[{"application_id": a.id, "state": a.state} for a in refused])
    now = utcnow()
    groups: dict[tuple[str, str], list[int]] = {}
    for application, new_state, _data in changes:
        groups.setdefault((application.state, new_state), []).append(application.id)
    moved_ids = set()
    for (previous, new_state), ids in groups.items():
        stamp = {_STAMPS[new_state]: now} if new_state in _STAMPS else {}
        moved_ids.update(db.session.scalars(
            update(Application.__table__).where(among(Application.id, ids), Application.state == previous)
            .values(state=new_state, **stamp).returning(Application.id)))
    moved = [(a, a.state, new_state, data) for a, new_state, data in changes if a.id in moved_ids]
    for application, _previous, new_state, _data in moved:
        set_committed_value(application, "state", new_state)  # the rows have them already
        if new_state in _STAMPS:
            set_committed_value(application, _STAMPS[new_state], now)
    _move_clocks([(a, previous, new_state) for a, previous, new_state, _data in moved], now)
    applications = [a for a, _, _, _ in moved]
    if then is not None:
        then(applications)
    announce_many([a.id for a, previous, new_state, _ignored in moved
                   if register_class(previous) != register_class(new_state)])
    notify_state_many(applications)
    for action in dict.fromkeys(new_state for _, _, new_state, _ in moved):
        record_many(f"application.{action}", [(a, {"before": previous, "after": new_state, **data})
                                              for a, previous, new_state, data in moved if new_state == action],
                    actor=actor, at=now)
    return applications


def _move_clocks(moves: list[tuple[Application, str, str]], now) -> None:
    """The decision clock's columns for the moved rows that start, pause or restart it (a validation batch or an
    approval moves none): one executemany UPDATE and one holiday lookup, whatever their number."""
    calendar = _calendar_once()
    changes = [(a, _clock_values(a, previous, new_state, now, calendar))
               for a, previous, new_state in moves if clock_moves(previous, new_state)]
    changes = [(a, values) for a, values in changes if values]
    table = Application.__table__
    for names in {tuple(sorted(values)) for _a, values in changes}:
        rows = [{"row_id": a.id, **{f"new_{k}": v for k, v in values.items()}}
                for a, values in changes if tuple(sorted(values)) == names]
        db.session.execute(update(table).where(table.c.id == bindparam("row_id"))
                           .values({name: bindparam(f"new_{name}") for name in names}), rows)
        for a, values in changes:
            if tuple(sorted(values)) == names:
                for name, value in values.items():
                    set_committed_value(a, name, value)
