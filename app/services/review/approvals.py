"""The end of an approval: revocation by a reviewer, expiry by the hourly job, and what follows each.

Both end a suspended approval too (an ISP disputed it: review.suspensions), whose space is already out.

Both take the approved-space lock, delete the application's approved prefixes and subscriptions, move it on
and publish a new whitelist version in the same transaction. Pending applications that touch the space (or
hold a subscription) approved, revoked or expired are then validated again: a job does it after the commit,
with the worker's warm register (services.national_register), because at a batch of 10,000 applications the
overlap queries would hold the reviewer's request far too long.
"""
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.addresses import AddressRange
from app.choices import State
from app.extensions import db
from app.i18n import _, _l
from app.models import AddressEntry, Application, Subscription, WhitelistVersion
from app.models.types import utcnow
from app.queues import REVALIDATE_TOUCHING
from app.services import Conflict, job_outbox
from app.services.id_lists import among
from app.services.locks import lock_approved_space, locked
from app.services.publication.publish import publish
from app.services.review import approved_space
from app.services.review.decisions import acting, lock_application, required_text
from app.services.transitions import move, move_many, state_words
from app.system.plurals import counted, plural


def revoke(application: Application, reason: str, actor=None) -> WhitelistVersion | None:
    """Withdraw an approval; returns the version published without its space (None if nothing changed)."""
    reason = required_text(reason, "reason", _l("why the approval is revoked (the applicant reads it)"))
    actor = acting(actor)
    lock_approved_space()
    lock_application(application)
    if application.state not in State.APPROVALS:
        raise Conflict(_("Application %(id)s is %(state)s; only an approved application (or a suspended one) can be "
                         "revoked.", id=application.id, state=state_words(application.state)),
                       details={"state": application.state})
    approved_space.remove([application.id])
    application.reviewer_message = reason
    move(application, State.REVOKED, actor=actor, reason=reason)
    version = publish(f"application {application.id} revoked", actor=actor)
    queue_revalidation([application.id])
    return version


def expire_due(now=None) -> list[int]:
    """Expire every approval (suspended ones too) whose expires_at has passed, publishing once for all;
    returns their ids."""
    now = now or utcnow()
    lock_approved_space()
    due = locked(select(Application).where(Application.state.in_(State.APPROVALS), Application.expires_at <= now)
                 .order_by(Application.id))
    if not due:
        return []
    ids = [a.id for a in due]
    approved_space.remove(ids)
    move_many(due, State.EXPIRED, expired_at=now)
    publish(f"{counted(len(ids), 'approval')} expired")
    queue_revalidation(ids)
    return ids


def queue_revalidation(changed_ids: list[int]) -> None:
    """Once this transaction commits, have a worker re-validate pending applications touching their space."""
    job_outbox.enqueue(REVALIDATE_TOUCHING, list(changed_ids))


def revalidate_touching(changed_ids: list[int], register) -> list[int]:
    """Send ready and flagged applications that overlap any entry of `changed_ids`, or hold one of their
    subscriptions, back to validation.

    `register` is the worker's overlap index of approved and pending entries; the rows it names are
    locked and checked again here, since the index may be a moment behind. Returns the ids moved to
    `validating`; the caller queues their validation.
    """
    changed = set(changed_ids)
    touching: set[int] = set()
    for version, start, end in db.session.execute(select(AddressEntry.version, AddressEntry.start, AddressEntry.end)
                                                  .where(among(AddressEntry.application_id, changed_ids))):
        touching |= {hit.application_id for hit in register.conflicts(AddressRange(version, start, end))
                     if hit.application_id not in changed}
    touching |= set(_sharing_subscriptions(changed_ids)) - changed
    if not touching:
        return []
    affected = locked(select(Application).where(among(Application.id, sorted(touching)),
                                                Application.state.in_(State.REVIEWABLE)).order_by(Application.id))
    reason = f"approved space changed ({plural('application', len(changed))} {_ids_text(changed_ids)})"
    move_many(affected, State.VALIDATING, reason=reason)
    return [a.id for a in affected]


def _sharing_subscriptions(application_ids: list[int]):
    """Ids of applications with a subscription (same operator and identifier) of one of `application_ids`."""
    theirs = aliased(Subscription)
    return db.session.scalars(select(theirs.application_id).distinct().join(
        Subscription, (Subscription.identifier == theirs.identifier)
        & (Subscription.organisation_id == theirs.organisation_id))
        .where(among(Subscription.application_id, application_ids)))


def _ids_text(ids: list[int], shown: int = 10) -> str:
    return ", ".join(map(str, ids[:shown])) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")
