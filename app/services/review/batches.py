"""Maker-checker batches: one reviewer gathers applications, another approves them all or none.

Batching refuses what approval would refuse for certain: an application not batchable now, one already
in a pending batch, and two of different applicants whose entries overlap or who hold the same subscription
(approval would refuse both).
Until approval, any reviewer may take applications out of a pending batch (remove_from_batch) or
cancel it.

Approval is one transaction: it takes the approved-space lock (services.locks), locks the batch
and every application in it, re-checks each (unchanged since batching, still batchable, no overlap
with another applicant's approved space or subscriptions, or with another applicant in the same batch), then
approves them in bulk, writes their approved prefixes and subscriptions and publishes a new whitelist version whose
serial the caller can return at once. Any problem refuses the whole batch with a 409 naming each.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, insert, select

from app import audit
from app.audit.bulk import record_many
from app.choices import BatchState, State
from app.extensions import db
from app.i18n import _, _l, ngettext
from app.models import Application, Batch, batch_applications
from app.models.types import utcnow
from app.services import Conflict, NotAllowed, ServiceError
from app.services.fees.charges import unpaid_fees, unpaid_problem
from app.services.id_lists import among
from app.services.locks import lock_approved_space, locked
from app.services.publication.publish import latest_version, publish
from app.services.review import approved_space
from app.services.review.approvals import queue_revalidation
from app.services.review.decisions import acting, batch_problems
from app.services.transitions import move_many, state_words

MAX_BATCH = 20_000
# A batch's state as the messages name it, in the reader's language.
BATCH_STATE_WORDS = {BatchState.PENDING_APPROVAL: _l("pending approval"), BatchState.PUBLISHED: _l("published"),
                     BatchState.CANCELLED: _l("cancelled")}


def _problem(application_id: int, message: str) -> dict:
    return {"application_id": application_id, "message": approved_space.sentence(application_id, message)}


def checked_application_ids(values) -> list[int]:
    """`values` as a list of distinct application ids in their order, or a 422 naming what is wrong with it."""
    if not isinstance(values, list) or not values:
        raise ServiceError(_("Give application_ids as a non-empty list of application ids."), field="application_ids")
    bad = [v for v in values if not isinstance(v, int) or isinstance(v, bool) or v < 1]
    if bad:
        raise ServiceError(_("Application ids are whole numbers; these are not: %(bad)s.",
                             bad=", ".join(map(repr, bad[:10]))), field="application_ids")
    ids = list(dict.fromkeys(values))
    if len(ids) > MAX_BATCH:
        raise ServiceError(_("A batch holds at most %(most)s applications, not %(count)s; split it.",
                             most=f"{MAX_BATCH:,}", count=f"{len(ids):,}"), field="application_ids")
    return ids


def create_batch(application_ids, maker, note: str | None = None) -> Batch:
    """A pending batch of ready (or fully overridden flagged) applications; every refusal named at once."""
    ids = checked_application_ids(application_ids)
    maker = acting(maker)
    applications = _locked_applications(select(Application).where(among(Application.id, ids)))
    found = {a.id for a in applications}
    missing = [_problem(i, _("does not exist")) for i in ids if i not in found]
    problems = missing + [_problem(i, why) for i, why in batch_problems(applications).items()]
    clashes = approved_space.within(approved_space.entries_of(sorted(found)))
    clashes += approved_space.subscription_clashes(approved_space.subscriptions_of(sorted(found)), approved=False)
    problems += [_problem(c.entry.application_id, _overlap_at_batching(c)) for c in clashes]
    if problems:
        error = ServiceError if missing else Conflict
        refused = sorted({p["application_id"] for p in problems})
        named = ", ".join(f"#{i}" for i in refused[:20]) + (" ..." if len(refused) > 20 else "")
        if len(ids) == 1:
            message = _("The application cannot be batched: %(named)s. Nothing was batched.", named=named)
        else:
            message = ngettext("%(refused)s of the %(num)s application cannot be batched: %(named)s. Nothing was "
                               "batched.",
                               "%(refused)s of the %(num)s applications cannot be batched: %(named)s. Nothing was "
                               "batched.", len(ids), refused=len(refused), named=named)
        raise error(message, details=problems)
    batch = Batch(made_by_id=maker.id, note=(note or "").strip() or None)
    db.session.add(batch)
    db.session.flush()
    db.session.execute(insert(batch_applications), [
        {"batch_id": batch.id, "application_id": a.id, "state_at_batching": a.state, "validated_at": a.validated_at}
        for a in applications])
    audit.record("batch.created", batch, actor=maker, application_ids=sorted(found), note=batch.note)
    return batch


def _overlap_at_batching(clash: approved_space.Clash) -> str:
    """Approval would refuse both (it approves no space or subscription twice), so batching refuses them now,
    naming both."""
    if isinstance(clash.entry, approved_space.SpaceSubscription):
        return _("%(clash)s, as has application %(id)s, another applicant's, selected with it; batch one of the two, "
                 "and decide the other once the first is approved or refused", clash=clash.entry.clashing(clash.other),
                 id=clash.other.application_id)
    return _("%(clash)s of application %(id)s, another applicant's, selected with it; batch one of the two, and "
             "decide the other once the first is approved or refused", clash=clash.entry.clashing(clash.other),
             id=clash.other.application_id)


def _locked_applications(query) -> list[Application]:
    """Locked in id order, so two transactions locking overlapping sets cannot deadlock."""
    return locked(query.order_by(Application.id), of=Application)


def application_ids_of(batch: Batch) -> list[int]:
    return list(db.session.scalars(select(batch_applications.c.application_id)
                                   .where(batch_applications.c.batch_id == batch.id)
                                   .order_by(batch_applications.c.application_id)))


def _lock_pending(batch: Batch) -> Batch:
    batch = locked(select(Batch).where(Batch.id == batch.id))[0]
    if batch.state != BatchState.PENDING_APPROVAL:
        raise Conflict(_("Batch %(id)s is %(state)s; only a batch awaiting approval can be approved, cancelled or "
                         "have applications removed.", id=batch.id,
                         state=BATCH_STATE_WORDS.get(batch.state, batch.state.replace("_", " "))),
                       details={"state": batch.state})
    return batch


def _changed_since_batching(batch: Batch, applications: list[Application]) -> list[dict]:
    then = {row.application_id: row for row in db.session.execute(
        select(batch_applications).where(batch_applications.c.batch_id == batch.id))}
    problems = []
    for application in applications:
        row = then[application.id]
        if application.state != row.state_at_batching:
            problems.append(_problem(application.id, _("was %(then)s when batched and is %(now)s now",
                                                       then=state_words(row.state_at_batching),
                                                       now=state_words(application.state))))
        elif application.validated_at != row.validated_at:
            problems.append(_problem(application.id, _("was validated again since it was batched; look at its "
                                                       "findings and batch it again")))
    return problems


def approve_batch(batch: Batch, approver) -> Batch:
    """Approve every application in the batch and publish, or nothing (409 naming each problem)."""
    approver = acting(approver)
    if batch.made_by_id == approver.id:
        raise NotAllowed(_("You made batch %(id)s; another reviewer must approve it (maker-checker).", id=batch.id))
    lock_approved_space()
    batch = _lock_pending(batch)
    applications = _locked_applications(select(Application).join(
        batch_applications, batch_applications.c.application_id == Application.id)
        .where(batch_applications.c.batch_id == batch.id))
    problems = _changed_since_batching(batch, applications)
    changed = {p["application_id"] for p in problems}
    problems += [_problem(i, why) for i, why in batch_problems(applications, batch_id=batch.id).items()
                 if i not in changed]
    entries = approved_space.entries_of([a.id for a in applications])
    subscriptions = approved_space.subscriptions_of([a.id for a in applications])
    problems += [_problem(c.entry.application_id, c.message())
                 for c in approved_space.clashes(entries) + approved_space.subscription_clashes(subscriptions)]
    # A fee not paid holds the approval (reviewing and batching stay allowed); the rows stay locked, so a fee
    # found paid here stays paid until this approval commits.
    problems += [_problem(i, unpaid_problem(payment))
                 for i, payment in unpaid_fees([a.id for a in applications], lock=True).items()]
    if problems:
        refused = sorted({p["application_id"] for p in problems})
        listed = ", ".join(map(str, refused[:20])) + (" ..." if len(refused) > 20 else "")
        raise Conflict(ngettext("Batch %(id)s was not approved: %(refused)s of its %(num)s application have problems "
                                "(%(listed)s). Nothing was approved.",
                                "Batch %(id)s was not approved: %(refused)s of its %(num)s applications have "
                                "problems (%(listed)s). Nothing was approved.", len(applications), id=batch.id,
                                refused=len(refused), listed=listed), details=problems)
    approved_space.add_guarded(entries, subscriptions, _(
        "Batch %(id)s was not approved: the database refused its space or subscriptions because part of them is "
        "approved for another applicant. Nothing was approved.", id=batch.id))
    days = current_app.config["APPROVAL_DAYS"]
    move_many(applications, State.APPROVED, actor=approver, values={"expires_at": utcnow() + timedelta(days=days)},
              batch=batch.id)
    batch.state, batch.approved_by_id, batch.approved_at = BatchState.PUBLISHED, approver.id, utcnow()
    version = publish(f"batch {batch.id} approved", actor=approver)
    batch.whitelist_serial = version.serial if version else latest_version().serial
    audit.record("batch.approved", batch, actor=approver, applications=len(applications),
                 whitelist_serial=batch.whitelist_serial)
    queue_revalidation([a.id for a in applications])
    return batch


def cancel_batch(batch: Batch, actor=None) -> Batch:
    """Withdraw a batch before approval; its applications can be batched again."""
    actor = acting(actor)
    batch = _lock_pending(batch)
    batch.state = BatchState.CANCELLED
    audit.record("batch.cancelled", batch, actor=actor)
    return batch


class NotInBatch(ServiceError):
    status = 404
    code = "not_found"


MAX_REASON = 2000


def _removal_reasons(reasons: dict[int, str | None]) -> dict[int, str | None]:
    """Each reason stripped (blank: None), or a 422 for one that is not text or too long."""
    tidy = {}
    for application_id, reason in reasons.items():
        if reason is not None and not isinstance(reason, str):
            raise ServiceError(_("reason must be text: write why the application leaves the batch, or leave it out."),
                               field="reason")
        reason = (reason or "").strip() or None
        if reason and len(reason) > MAX_REASON:
            raise ServiceError(ngettext("The reason is %(num)s character; keep it under %(most)s.",
                                        "The reason is %(num)s characters; keep it under %(most)s.", len(reason),
                                        most=f"{MAX_REASON:,}"), field="reason")
        tidy[application_id] = reason
    return tidy


def remove_from_batch(batch: Batch, application_ids: list[int], actor=None,
                      reasons: dict[int, str | None] | None = None) -> Batch:
    """Take applications out of a batch awaiting approval (the maker or any other reviewer); each goes back
    to the queue as it was, to be batched again or decided alone. One audit event each, with its reason
    (`reasons`: application id -> why; optional). The caller commits.

    It takes the locks approval takes, in the same order (approved space, batch, applications), so a
    removal and an approval of the same batch run one after the other: the approval approves the batch
    as the removal left it, or the removal finds it published (409). The last application is not removed:
    cancelling the batch says that in the trail, and leaves no empty batch awaiting approval.
    """
    actor = acting(actor)
    reasons = _removal_reasons(reasons or {})
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        raise ServiceError(_("Name the application to take out of the batch."), field="application_id")
    lock_approved_space()
    batch = _lock_pending(batch)
    members = set(application_ids_of(batch))
    absent = [i for i in ids if i not in members]
    if absent:
        listed = ", ".join(map(str, absent[:20])) + (" ..." if len(absent) > 20 else "")
        raise NotInBatch(ngettext("Application %(listed)s is not in batch %(id)s; GET %(url)s lists its applications.",
                                  "Applications %(listed)s are not in batch %(id)s; GET %(url)s lists its "
                                  "applications.", len(absent), listed=listed, id=batch.id,
                                  url=f"/api/v1/batches/{batch.id}"), details={"application_ids": absent})
    if len(ids) >= len(members):
        raise Conflict(_("That would leave batch %(id)s empty; cancel the batch instead (its applications go back to "
                         "the queue).", id=batch.id), details={"application_ids": ids})
    _locked_applications(select(Application).where(among(Application.id, ids)))
    db.session.execute(delete(batch_applications).where(batch_applications.c.batch_id == batch.id,
                                                        among(batch_applications.c.application_id, ids)))
    left = len(members) - len(ids)
    record_many("batch.application_removed", [
        (batch, {"application_id": i, "reason": reasons.get(i), "applications_left": left}) for i in ids], actor=actor)
    return batch


def pending_batches() -> list[Batch]:
    return batches(BatchState.PENDING_APPROVAL)


def batches(state: str | None = None, limit: int = 200) -> list[Batch]:
    """Batches, newest first; `state` one of BatchState.ALL."""
    if state is not None and state not in BatchState.ALL:
        raise ServiceError(_("Batch state %(state)s is unknown; use one of %(choices)s.", state=repr(state),
                             choices=", ".join(BatchState.ALL)), field="state")
    query = select(Batch).order_by(Batch.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Batch.state == state)
    return db.session.scalars(query).all()


def batch_for(application: Application) -> Batch | None:
    """The pending batch the application is in, if any."""
    return db.session.scalar(select(Batch).join(batch_applications, batch_applications.c.batch_id == Batch.id)
                             .where(batch_applications.c.application_id == application.id,
                                    Batch.state == BatchState.PENDING_APPROVAL))
