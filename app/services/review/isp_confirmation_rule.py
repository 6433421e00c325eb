"""REQUIRE_ISP_CONFIRMATION: no batch for an application whose ISP has not yet confirmed the subscriber id.

With the setting on, an application whose ISP on Raasta has not answered (its confirmation is pending) cannot
be batched, so nothing is approved on a subscriber id nobody vouched for. An ISP that never answers must not
hold an applicant up for ever: once the answer is CONFIRMATION_HOURS overdue (counted from when the ISP was
asked, at the first submission) a reviewer may override isp.pending with a written reason, and the application
can be batched. A dispute is an error finding, refused like any other; an ISP not on Raasta is asked nothing.
"""
from datetime import datetime, timedelta, timezone

from babel.dates import format_datetime
from flask import current_app
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.choices import ConfirmationState, FindingCode
from app.extensions import db
from app.i18n import _, ngettext
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
    """"05 Mar 2027 14:00 PKT", the month in the current language."""
    shown = format_datetime(moment, "dd MMM y HH:mm", tzinfo=PAKISTAN, locale=get_locale() or "en")
    return _("%(time)s PKT", time=shown)


def _and(words: list[str]) -> str:
    """"a and b and c", in the current language."""
    joined = words[0]
    for word in words[1:]:
        joined = _("%(first)s and %(second)s", first=joined, second=word)
    return joined


def _awaiting(confirmations: list[IspConfirmation]) -> str:
    """What is awaited, in words: "PTCL's confirmation of subscriber id PTCL-1 and Jazz's of mobile number
    +923001234567"."""
    first, *others = confirmations
    return _and([_("%(organisation)s's confirmation of %(part)s", organisation=first.organisation.name,
                   part=part_words(first)),
                 *(_("%(organisation)s's of %(part)s", organisation=c.organisation.name, part=part_words(c))
                   for c in others)])


def _names(confirmations: list[IspConfirmation]) -> str:
    return _and([c.organisation.name for c in confirmations])


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
    if now >= due:
        return _("is awaiting %(awaited)s, which REQUIRE_ISP_CONFIRMATION requires before batching; the answer is "
                 "overdue (since %(due)s): wait for %(names)s, or override %(code)s with a reason to batch it without "
                 "the answer", awaited=_awaiting(confirmations), due=_when(due), names=names, code=CODE)
    return _("is awaiting %(awaited)s, which REQUIRE_ISP_CONFIRMATION requires before batching: wait for %(names)s to "
             "confirm it, or once the answer is overdue, from %(due)s, override %(code)s with a reason",
             awaited=_awaiting(confirmations), names=names, due=_when(due), code=CODE)


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
        raise ServiceError(_("Application %(id)s awaits no ISP's confirmation; there is no %(code)s to override.",
                             id=application.id, code=CODE), field="code")
    due = _latest_due(confirmations)
    if utcnow() < due:
        names = _names(confirmations)
        raise Conflict(ngettext("%(names)s has until %(due)s to send %(awaited)s (CONFIRMATION_HOURS=%(hours)s after "
                                "it was asked); %(code)s on application %(id)s can be overridden only from then. "
                                "Until then, wait for %(names)s's answer.",
                                "%(names)s have until %(due)s to send %(awaited)s (CONFIRMATION_HOURS=%(hours)s after "
                                "it was asked); %(code)s on application %(id)s can be overridden only from then. "
                                "Until then, wait for %(names)s's answer.", len(confirmations), names=names,
                                due=_when(due), awaited=_awaiting(confirmations),
                                hours=current_app.config["CONFIRMATION_HOURS"], code=CODE, id=application.id),
                       field="code", details={"code": CODE, "overdue_at": due.isoformat()})
