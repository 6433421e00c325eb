"""Validation of a sub-batch of applications in one transaction: the checks per application, the reads and
writes per sub-batch.

One application per transaction cost about 15 statements and a commit each, and the audit head lock took
turns between workers. Here ~25 applications share one locking SELECT (plus one selectinload per part),
one lookup per kind of other row (identity, documents, ISP answers), one compare-and-set UPDATE per
outcome, one DELETE and one INSERT of findings, one INSERT of notifications, and their audit events,
written last. No email is built here: notifications are rows, and the mail queue sends them.

The findings are exactly those of validating the same applications one after another, each in its own
transaction, in the same order (`validate_many([a])` is that path, and the job falls back to it when a
sub-batch fails): in particular an overlap with another pending application in the same sub-batch is
recorded on it just as if it had been validated, and committed, first.
"""
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

from app.choices import Severity, State
from app.extensions import db
from app.models import Application, Finding, Subscription, User
from app.models.types import utcnow
from app.services.id_lists import among
from app.services.transitions import move_each
from app.services.validation.checks import CHECKS, CheckContext, Draft
from app.services.validation.checks.lookups import Lookups


def lock_validating(application_ids: list[int]) -> list[Application]:
    """Those of the applications still validating, row-locked, with what the checks read; in the given order.

    PostgreSQL skips a row another worker holds (SKIP LOCKED); SQLite serialises writers and ignores the
    clause (the compare-and-set in move_each then leaves alone one that changed meanwhile). FOR NO KEY
    UPDATE (key_share): a plain FOR UPDATE would also skip an application while another worker merely
    inserts a finding that references it.
    """
    if not application_ids:
        return []
    found = db.session.scalars(
        select(Application).where(among(Application.id, application_ids), Application.state == State.VALIDATING)
        .options(selectinload(Application.entries), selectinload(Application.endpoints),
                 selectinload(Application.documents), selectinload(Application.applicant).selectinload(User.profile),
                 selectinload(Application.subscriptions).selectinload(Subscription.organisation))
        .with_for_update(skip_locked=True, key_share=True, of=Application)).all()
    position = {application_id: n for n, application_id in enumerate(application_ids)}
    return sorted(found, key=lambda a: position[a.id])


def validate_many(applications: list[Application], register, progress=None) -> dict[int, str | None]:
    """Run the checks on each application, store the findings, move each to ready or flagged.

    Returns {id: new state}, None for one that left `validating` meanwhile (left as it is). The caller commits.
    """
    lookups = Lookups.load(applications)
    config = current_app.config
    outcomes, changes = {}, []
    for application in applications:
        context = CheckContext(application, register, config["MAX_PREFIX_V4"], config["MAX_PREFIX_V6"],
                               progress=progress or (lambda done, total: None), batch_lookups=lookups)
        with force_locale("en"):  # the stored `message` is English; Phrases keep every language (checks.base)
            drafts = [draft for check in CHECKS for draft in check(context)]
        outcomes[application.id] = (drafts, context.cross_findings)
        errors = sum(1 for d in drafts if d.severity == Severity.ERROR)
        warnings = sum(1 for d in drafts if d.severity == Severity.WARNING)
        changes.append((application, State.FLAGGED if errors else State.READY, {
            "errors": errors, "warnings": warnings,
            "codes": sorted({d.code for d in drafts if d.severity != Severity.INFO})}))
    moved = move_each(changes, then=lambda moved: _store_findings(moved, outcomes))
    results = dict.fromkeys((a.id for a in applications), None)
    results.update((a.id, a.state) for a in moved)
    return results


def _store_findings(moved: list[Application], outcomes: dict) -> None:
    """Replace the moved applications' findings with their drafts, and add overlap warnings to the others.

    A warning for another application of this sub-batch validated *later* is dropped (its own validation
    replaces its findings, as it would one transaction later); for one validated earlier, or outside the
    sub-batch and still pending, it is added unless that application already has the same warning.
    """
    if not moved:
        return
    now = utcnow()
    order = {a.id: n for n, a in enumerate(moved)}
    held = {a.id: {_key(d) for d in outcomes[a.id][0]} for a in moved}   # what each application has now
    outside = {other for a in moved for other, _ in outcomes[a.id][1] if other not in order}
    held.update(_pending_findings(outside))
    rows = []
    for application in moved:
        drafts, cross = outcomes[application.id]
        rows += [_row(application.id, draft, now) for draft in drafts]
        for other, draft in cross:
            if other in order and order[other] > order[application.id]:
                continue
            if other not in held or _key(draft) in held[other]:
                continue  # not pending any more, or told already
            held[other].add(_key(draft))
            rows.append(_row(other, draft, now))
    db.session.execute(delete(Finding.__table__).where(among(Finding.application_id, list(order))))
    if rows:
        db.session.execute(insert(Finding.__table__), rows)


def _pending_findings(application_ids: set[int]) -> dict[int, set]:
    """For those of the applications still pending: the (code, other application) of each finding they hold."""
    if not application_ids:
        return {}
    pending = db.session.scalars(select(Application.id).where(
        among(Application.id, application_ids), Application.state.in_(State.PENDING))).all()
    held = {application_id: set() for application_id in pending}
    if held:
        for application_id, code, data in db.session.execute(select(
                Finding.application_id, Finding.code, Finding.data).where(among(Finding.application_id, held))):
            held[application_id].add((code, (data or {}).get("application_id")))
    return held


def _key(draft: Draft) -> tuple:
    return draft.code, draft.data.get("application_id")


def _row(application_id: int, draft: Draft, now) -> dict:
    """The finding's row: its English `message`/`reviewer_message` and their `phrases` (Draft.columns)."""
    return {"application_id": application_id, **draft.columns(), "created_at": now}
