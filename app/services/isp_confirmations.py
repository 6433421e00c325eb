"""ISPs and mobile operators confirm or dispute that their part of an application is the applicant's connection.

Submitting an application asks every organisation on Raasta that serves a part of it, one pending row per
(application, organisation): the ISP in the applicant's profile about its subscriber id, when the application
has address entries; and each organisation serving one of its subscriptions about those numbers or accounts
(no subscriber id on its row unless it is the profile's ISP too). Each sees and answers for its own part only.
Each answer becomes that organisation's finding at once (and again on every validation, through
checks/isp.py); a dispute of a `ready` application flags it, so it cannot be batched unnoticed.

Answers may change: pending -> confirmed or disputed, and confirmed <-> disputed, each audited; the
same answer sent again changes nothing (a billing system may re-send its whole list). A dispute
later turned into a confirmation leaves a flagged application flagged, but with no open ISP
error, so reviewers can batch it. An ISP only ever sees its own organisation's rows.

A dispute of an approved application suspends it at once (review.suspensions): out of the approved
space and of a whitelist version published in the same transaction, reviewers and applicant told.
A later confirmation leaves it suspended, for a reviewer to reinstate, and tells the reviewers.
"""
import hashlib
from typing import NamedTuple

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import joinedload

from app import audit
from app.choices import ConfirmationState, FindingCode, State
from app.extensions import db
from app.i18n import _
from app.models import Application, Finding, IspConfirmation, IspOrganisation, User
from app.models.types import utcnow
from app.services import Conflict, ServiceError
from app.services.review import suspensions
from app.services.transitions import move, state_words
from app.services.validation.checks.base import Draft
from app.services.validation.checks.isp import (
    covers_addresses,
    finding_draft,
    served_by,
)

REASON_MAX = 1000
PAGE_MAX = 500
# Applications an ISP can still answer for: in review, or approved (a late dispute suspends it), or suspended
# (a dispute sent by mistake can still be turned into a confirmation).
ANSWERABLE = (*State.PENDING, *State.APPROVALS)


def ask_on_submission(application: Application) -> list[IspConfirmation]:
    """Make sure every organisation on Raasta serving a part of this application is asked; the caller commits.

    A resubmission keeps an organisation's earlier answer unless what it is asked about changed (the profile
    names another ISP or subscriber id, or other subscriptions of its); then its question starts again as
    pending, and an organisation no longer concerned loses its row. Called from applications.submit.
    """
    wanted = _asked_about(application)
    existing = db.session.scalars(select(IspConfirmation).where(IspConfirmation.application_id == application.id)
                                  .order_by(IspConfirmation.id).with_for_update()).all()
    kept = []
    for confirmation in existing:
        now = wanted.get(confirmation.organisation_id)
        if now == (confirmation.subscriber_id, confirmation.subscriptions_digest):
            kept.append(confirmation)
            continue
        audit.record("application.isp_confirmation_reset", application,
                     organisation_id=confirmation.organisation_id, subscriber_id=confirmation.subscriber_id,
                     state=confirmation.state, after={"organisation_id": confirmation.organisation_id,
                                                      "subscriber_id": now[0] if now else None,
                                                      "subscriptions_changed": bool(now) and now[0] ==
                                                      confirmation.subscriber_id})
        db.session.delete(confirmation)
    db.session.flush()
    have = {c.organisation_id for c in kept}
    asked = [IspConfirmation(application_id=application.id, organisation_id=organisation_id,
                             subscriber_id=subscriber_id, subscriptions_digest=digest, state=ConfirmationState.PENDING)
             for organisation_id, (subscriber_id, digest) in wanted.items() if organisation_id not in have]
    db.session.add_all(asked)
    db.session.flush()
    return kept + asked


def _asked_about(application: Application) -> dict[int, tuple[str, str]]:
    """organisation id -> (the subscriber id it is asked about, the digest of its subscriptions). The subscriber
    id is the profile's for the ISP of an application with address entries, "" for an organisation asked only
    about its subscriptions."""
    profile = application.applicant.profile
    served = {}
    for subscription in application.subscriptions:
        served.setdefault(subscription.organisation_id, []).append(f"{subscription.kind}:{subscription.identifier}")
    subscriber_ids = dict.fromkeys(served, "")
    if profile is not None and profile.isp_organisation_id is not None and (
            application.entries or not application.subscriptions):
        subscriber_ids[profile.isp_organisation_id] = profile.isp_subscriber_id or ""
    return {organisation_id: (subscriber_id, _digest(served.get(organisation_id, [])))
            for organisation_id, subscriber_id in subscriber_ids.items()}


def _digest(subscriptions: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(subscriptions)).encode()).hexdigest() if subscriptions else ""


class Part(NamedTuple):
    """What one organisation is shown of an application: the address entries and the subscriber id only if it
    is the profile's ISP for them; the subscriptions it serves."""

    addresses: bool
    subscriptions: list


def part_of(confirmation: IspConfirmation) -> Part:
    return Part(covers_addresses(confirmation), served_by(confirmation.application, confirmation.organisation_id))


def confirmed_by_everyone():
    """An SQL condition on Application: every organisation concerned confirmed its part (checks/isp.py). None of
    its confirmations is pending or disputed, and no part is served by an ISP that is not on Raasta (its
    isp.unconfirmed finding: nobody was asked, so nobody vouched for the subscriber id)."""
    return and_(~exists().where(IspConfirmation.application_id == Application.id,
                                IspConfirmation.state != ConfirmationState.CONFIRMED),
                ~exists().where(Finding.application_id == Application.id,
                                Finding.code == FindingCode.ISP_UNCONFIRMED))


def confirmation_for(application_id: int, organisation: IspOrganisation) -> IspConfirmation | None:
    """The confirmation if it is this organisation's to answer; None (a 404) for anyone else's."""
    return db.session.scalar(select(IspConfirmation).where(IspConfirmation.application_id == application_id,
                                                           IspConfirmation.organisation_id == organisation.id))


def confirmations_for(organisation: IspOrganisation, state: str = ConfirmationState.PENDING,
                      after_id: int = 0, limit: int = 100) -> list[IspConfirmation]:
    """This organisation's confirmations in `state`, oldest first, with applications and entries loaded.

    Pending ones list only applications still answerable; answered ones list every application.
    """
    if state not in ConfirmationState.ALL:
        raise ServiceError(_("State %(state)s is unknown; choose one of %(choices)s.", state=repr(state),
                             choices=", ".join(ConfirmationState.ALL)), field="state")
    query = (select(IspConfirmation).join(Application, Application.id == IspConfirmation.application_id)
             .where(IspConfirmation.organisation_id == organisation.id, IspConfirmation.state == state,
                    IspConfirmation.id > after_id)
             .options(joinedload(IspConfirmation.application).selectinload(Application.entries),
                      joinedload(IspConfirmation.application).selectinload(Application.subscriptions),
                      joinedload(IspConfirmation.application).joinedload(Application.applicant)
                      .joinedload(User.profile))
             .order_by(IspConfirmation.id).limit(max(1, min(limit, PAGE_MAX))))
    if state == ConfirmationState.PENDING:
        query = query.where(Application.state.in_(ANSWERABLE))
    return db.session.scalars(query).unique().all()


def state_counts(organisation: IspOrganisation) -> dict[str, int]:
    """How many confirmations in each state, counted as confirmations_for() lists them."""
    rows = db.session.execute(select(IspConfirmation.state, func.count())
                              .join(Application, Application.id == IspConfirmation.application_id)
                              .where(IspConfirmation.organisation_id == organisation.id,
                                     (IspConfirmation.state != ConfirmationState.PENDING)
                                     | Application.state.in_(ANSWERABLE))
                              .group_by(IspConfirmation.state)).all()
    return {state: 0 for state in ConfirmationState.ALL} | dict(rows)


def answer(confirmation: IspConfirmation, reply: str, reason: str | None, actor,
           publish: bool = True) -> IspConfirmation:
    """Record the ISP's answer ("confirm" or "dispute" with a reason) and its finding. The caller commits.

    A dispute of an approved application suspends it and publishes a version without it; `publish=False`
    leaves the publishing to the caller (suspensions.publish_suspended, once for a list of answers)."""
    new_state = ConfirmationState.ANSWERS.get(reply) if isinstance(reply, str) else None
    if new_state is None:
        if reply is None:
            message = _("No answer was given; send \"answer\": \"confirm\" or \"dispute\".")
        else:
            message = _("Answer %(answer)s is unknown; send \"answer\": \"confirm\" or \"dispute\".",
                        answer=repr(reply))
        raise ServiceError(message, field="answer")
    if reason is not None and not isinstance(reason, str):
        raise ServiceError(_("Send the reason as text."), field="reason")
    reason = (reason or "").strip() or None
    if new_state == ConfirmationState.DISPUTED and not reason:
        raise ServiceError(_("Say why you dispute it, e.g. \"subscriber id 1234 is not on our books\"; the reviewer "
                             "and the applicant read it, so name no other customer."), field="reason")
    if reason and len(reason) > REASON_MAX:
        raise ServiceError(_("Keep the reason under %(most)s characters.", most=REASON_MAX), field="reason")
    if new_state == ConfirmationState.CONFIRMED:
        reason = None  # a confirmation needs no reason; a stale dispute reason must not linger
    # Lock the confirmation, not the application: a validation worker holds the application's row
    # (and would skip it if we held it), while checks/isp.py locks this same row, so an answer and a
    # validation run one after the other. Of two answers racing, the second sees the first's result.
    confirmation = db.session.scalar(select(IspConfirmation).where(IspConfirmation.id == confirmation.id)
                                     .with_for_update().execution_options(populate_existing=True))
    application = db.session.scalar(select(Application).where(Application.id == confirmation.application_id)
                                    .execution_options(populate_existing=True))
    if (confirmation.state, confirmation.reason) == (new_state, reason):
        return confirmation  # the same answer again: nothing changes, nothing is recorded
    if application.state not in ANSWERABLE:
        raise Conflict(_("Application %(id)s is %(state)s; there is nothing left to confirm.", id=application.id,
                         state=state_words(application.state)), details={"state": application.state})
    before = confirmation.state
    subscriptions = served_by(application, confirmation.organisation_id)
    confirmation.state, confirmation.reason = new_state, reason
    confirmation.answered_by_id, confirmation.answered_at = actor.id, utcnow()
    action = "application.isp_confirmed" if new_state == ConfirmationState.CONFIRMED else "application.isp_disputed"
    audit.record(action, application, actor=actor, organisation=confirmation.organisation.name,
                 subscriber_id=confirmation.subscriber_id, before=before, after=new_state, reason=reason,
                 **({"subscription_ids": [s.id for s in subscriptions]} if subscriptions else {}))
    if application.state == State.VALIDATING:
        return confirmation  # the running (or queued) validation's ISP check makes the finding
    _replace_isp_finding(application, confirmation.organisation_id, finding_draft(confirmation))
    if new_state == ConfirmationState.DISPUTED and application.state == State.READY:
        move(application, State.FLAGGED, actor=actor, errors=1, codes=[FindingCode.ISP_DISPUTED])
    elif new_state == ConfirmationState.DISPUTED and application.state == State.APPROVED:
        suspensions.suspend(application, confirmation, actor)
        if publish:
            suspensions.publish_suspended([application], actor)
    elif new_state == ConfirmationState.CONFIRMED and application.state == State.SUSPENDED:
        suspensions.tell_reviewers_confirmed(application, confirmation)
    return confirmation


def _replace_isp_finding(application: Application, organisation_id: int, draft: Draft) -> None:
    """This organisation's finding replaced; the other organisations' (and isp.unconfirmed) stay."""
    db.session.expire(application, ["findings"])  # as committed now, e.g. by a validation that just finished
    application.findings = [f for f in application.findings if not (
        f.code.startswith(FindingCode.ISP_PREFIX) and (f.data or {}).get("organisation_id") == organisation_id)]
    application.findings.append(draft.to_finding())

