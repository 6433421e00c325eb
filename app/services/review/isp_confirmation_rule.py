"""REQUIRE_ISP_CONFIRMATION: no batch for an application whose ISP has not yet confirmed the subscriber id.

With the setting on, an application whose ISP on Raasta has not answered (its confirmation is pending) cannot
be batched, so nothing is approved on a subscriber id nobody vouched for. An ISP that never answers must not
hold an applicant up for ever: once the answer is CONFIRMATION_HOURS overdue (counted from when the ISP was
asked, at the first submission) a reviewer may override isp.pending with a written reason, and the application
can be batched. A dispute is an error finding, refused like any other; an ISP not on Raasta is asked nothing.
"""
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.choices import ConfirmationState, FindingCode
from app.extensions import db
from app.models import Application, IspConfirmation, Override
from app.models.types import utcnow
from app.services import Conflict, ServiceError
from app.services.id_lists import among
from app.services.validation.checks.isp import part_words

# Reviewers read times on Pakistan's clock, which keeps UTC+5 all year.
PAKISTAN = timezone(timedelta(hours=5), "PKT")
CODE = FindingCode.ISP_PENDING


def required() -> bool:
    return current_app.config["REQUIRE_ISP_CONFIRMATION"]


def overdue_at(confirmation: IspConfirmation) -> datetime:
    """When the ISP's answer becomes overdue: CONFIRMATION_HOURS after it was asked."""
    return confirmation.created_at + timedelta(hours=current_app.config["CONFIRMATION_HOURS"])


def _latest_due(confirmations: list[IspConfirmation]) -> datetime:
    """An override goes on without every awaited answer at once, so only once the last of them is overdue."""
    return max(overdue_at(confirmation) for confirmation in confirmations)


def _when(moment: datetime) -> str:
    return moment.astimezone(PAKISTAN).strftime("%d %b %Y %H:%M PKT")


def _awaiting(confirmations: list[IspConfirmation]) -> str:
    """What is awaited, in words: "PTCL's confirmation of subscriber id PTCL-1 and Jazz's of mobile number
    +923001234567"."""
    first, *others = confirmations
    return " and ".join([f"{first.organisation.name}'s confirmation of {part_words(first)}",
                         *(f"{c.organisation.name}'s of {part_words(c)}" for c in others)])


def _names(confirmations: list[IspConfirmation]) -> str:
    return " and ".join(c.organisation.name for c in confirmations)


def awaited(application_ids: list[int]) -> dict[int, list[IspConfirmation]]:
    """application id -> the confirmations not answered yet (one per organisation concerned), for those of
    `application_ids` that await any."""
    pending: dict[int, list[IspConfirmation]] = {}
    for confirmation in db.session.scalars(
            select(IspConfirmation).where(among(IspConfirmation.application_id, application_ids),
                                          IspConfirmation.state == ConfirmationState.PENDING)
            .options(joinedload(IspConfirmation.organisation),
                     joinedload(IspConfirmation.application).selectinload(Application.subscriptions))
            .order_by(IspConfirmation.id)):
        pending.setdefault(confirmation.application_id, []).append(confirmation)
    return pending


def _overridden(application_ids: list[int]) -> set[int]:
    return set(db.session.scalars(select(Override.application_id).where(
        among(Override.application_id, application_ids), Override.code == CODE)))


def batch_problems(application_ids: list[int]) -> dict[int, str]:
    """Why each of the applications cannot be batched under REQUIRE_ISP_CONFIRMATION (none when it is off),
    worded to follow "Application N"."""
    if not required() or not application_ids:
        return {}
    pending = awaited(application_ids)
    overridden = _overridden(list(pending)) if pending else set()
    now = utcnow()
    return {application_id: _problem(confirmations, now) for application_id, confirmations in pending.items()
            if application_id not in overridden}


def _problem(confirmations: list[IspConfirmation], now: datetime) -> str:
    names, due = _names(confirmations), _latest_due(confirmations)
    waiting = f"is awaiting {_awaiting(confirmations)}, which REQUIRE_ISP_CONFIRMATION requires before batching"
    if now >= due:
        return (f"{waiting}; the answer is overdue (since {_when(due)}): wait for {names}, or override {CODE} "
                "with a reason to batch it without the answer")
    return (f"{waiting}: wait for {names} to confirm it, or once the answer is overdue, from {_when(due)}, "
            f"override {CODE} with a reason")


def overridable(application: Application) -> bool:
    """Whether a reviewer may override isp.pending on it now: awaited, every answer overdue, not overridden yet."""
    confirmations = awaited([application.id]).get(application.id)
    return (confirmations is not None and utcnow() >= _latest_due(confirmations)
            and not _overridden([application.id]))


def check_override(application: Application) -> None:
    """Refuse an override of isp.pending unless an answer is awaited and every awaited one overdue: 422 when
    nothing is awaited, 409 (saying from when it is possible) while an ISP still has time to answer."""
    confirmations = awaited([application.id]).get(application.id)
    if confirmations is None:
        raise ServiceError(f"Application {application.id} awaits no ISP's confirmation; there is no {CODE} to "
                           "override.", field="code")
    due = _latest_due(confirmations)
    if utcnow() < due:
        names = _names(confirmations)
        raise Conflict(f"{names} {'has' if len(confirmations) == 1 else 'have'} until {_when(due)} to send "
                       f"{_awaiting(confirmations)} (CONFIRMATION_HOURS={current_app.config['CONFIRMATION_HOURS']} "
                       f"after it was asked); {CODE} on application {application.id} can be overridden only from "
                       f"then. Until then, wait for {names}'s answer.", field="code",
                       details={"code": CODE, "overdue_at": due.isoformat()})
