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

# Reviewers read times on Pakistan's clock, which keeps UTC+5 all year.
PAKISTAN = timezone(timedelta(hours=5), "PKT")
CODE = FindingCode.ISP_PENDING


def required() -> bool:
    return current_app.config["REQUIRE_ISP_CONFIRMATION"]


def overdue_at(confirmation: IspConfirmation) -> datetime:
    """When the ISP's answer becomes overdue: CONFIRMATION_HOURS after it was asked."""
    return confirmation.created_at + timedelta(hours=current_app.config["CONFIRMATION_HOURS"])


def _when(moment: datetime) -> str:
    return moment.astimezone(PAKISTAN).strftime("%d %b %Y %H:%M PKT")


def awaited(application_ids: list[int]) -> dict[int, IspConfirmation]:
    """application id -> its ISP's confirmation, for those of `application_ids` whose ISP has not answered."""
    return {c.application_id: c for c in db.session.scalars(
        select(IspConfirmation).where(among(IspConfirmation.application_id, application_ids),
                                      IspConfirmation.state == ConfirmationState.PENDING)
        .options(joinedload(IspConfirmation.organisation)))}


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
    return {application_id: _problem(confirmation, now) for application_id, confirmation in pending.items()
            if application_id not in overridden}


def _problem(confirmation: IspConfirmation, now: datetime) -> str:
    isp, due = confirmation.organisation.name, overdue_at(confirmation)
    waiting = (f"is awaiting {isp}'s confirmation of subscriber id {confirmation.subscriber_id}, which "
               "REQUIRE_ISP_CONFIRMATION requires before batching")
    if now >= due:
        return (f"{waiting}; the answer is overdue (since {_when(due)}): wait for {isp}, or override {CODE} "
                "with a reason to batch it without the answer")
    return (f"{waiting}: wait for {isp} to confirm it, or once the answer is overdue, from {_when(due)}, "
            f"override {CODE} with a reason")


def overridable(application: Application) -> bool:
    """Whether a reviewer may override isp.pending on it now: awaited, overdue, not overridden yet."""
    confirmation = awaited([application.id]).get(application.id)
    return (confirmation is not None and utcnow() >= overdue_at(confirmation)
            and not _overridden([application.id]))


def check_override(application: Application) -> None:
    """Refuse an override of isp.pending unless the ISP's answer is awaited and overdue: 422 when nothing is
    awaited, 409 (saying from when it is possible) while the ISP still has time to answer."""
    confirmation = awaited([application.id]).get(application.id)
    if confirmation is None:
        raise ServiceError(f"Application {application.id} awaits no ISP's confirmation; there is no {CODE} to "
                           "override.", field="code")
    due = overdue_at(confirmation)
    if utcnow() < due:
        isp = confirmation.organisation.name
        raise Conflict(f"{isp} has until {_when(due)} to confirm subscriber id {confirmation.subscriber_id} "
                       f"(CONFIRMATION_HOURS={current_app.config['CONFIRMATION_HOURS']} after it was asked); "
                       f"{CODE} on application {application.id} can be overridden only from then. Until then, "
                       f"wait for {isp}'s answer.", field="code", details={"code": CODE, "overdue_at": due.isoformat()})
