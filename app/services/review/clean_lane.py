"""The clean lane: applications nobody needs to look at twice, offered to the maker as ready-made batches.

An application is clean when it is ready (validation found no error), every ISP or operator concerned confirmed
its part (isp_confirmations.confirmed_by_everyone), it has the documents its category needs (no document.missing
finding), it carries no warning (nor error) finding, and it is in no batch awaiting approval. The lane offers
them in the decision clock's order, the decision due soonest (most late) first, in chunks of at most
CLEAN_LANE_BATCH_SIZE: one click batches a chunk through batches.create_batch, and a checker still approves it.

An offer is a snapshot: between the page and the click an application may have been batched by another maker,
validated again with a warning, disputed by its ISP. batch_offer() locks the offered applications, reads each
again, and batches only those still clean, naming each one left out and why (nothing unclean is batched
silently, and the maker's click is not wasted on the rest); when none is left it refuses (409) naming them all.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, func, select

from app.choices import BatchState, ConfirmationState, FindingCode, Severity, State
from app.extensions import db
from app.i18n import Phrase, _, ngettext
from app.models import Application, Batch, Finding, IspConfirmation, batch_applications
from app.models.types import utcnow
from app.services import Conflict
from app.services.decision_clock import is_late
from app.services.id_lists import among
from app.services.isp_confirmations import confirmed_by_everyone
from app.services.locks import locked
from app.services.review import batches
from app.services.review.approved_space import sentence
from app.services.review.decisions import acting, pending_batch_ids
from app.services.transitions import state_words

MAX_OFFERS = 20  # offers listed at once; the rest follow once these are batched
# Stored as the batch's note in English (Phrase.english), shown in the reader's language (the batch page).
NOTE = Phrase("Made from the clean lane: ready, confirmed by every ISP concerned, documents complete, no warnings.")
# A finding that keeps an application out of the lane whatever its severity.
UNCLEAN_SEVERITIES = (Severity.WARNING, Severity.ERROR)


@dataclass(frozen=True)
class Offer:
    """One ready-made batch: its applications, due soonest first."""

    application_ids: tuple[int, ...]
    oldest_due_at: datetime | None  # the soonest due time among them (None: none of them has one)
    late: bool

    @property
    def count(self) -> int:
        return len(self.application_ids)


@dataclass(frozen=True)
class Lane:
    offers: list[Offer]
    total: int        # clean applications in all, offered or not yet
    batch_size: int   # CLEAN_LANE_BATCH_SIZE

    @property
    def offered(self) -> int:
        return sum(offer.count for offer in self.offers)


@dataclass(frozen=True)
class LaneBatch:
    """What one click made: the batch, the ids batched, and the offered applications left out of it, each
    {"application_id", "message"} saying why."""

    batch: Batch
    application_ids: list[int]
    left_out: list[dict]


def _in_pending_batch():
    return exists().where(batch_applications.c.application_id == Application.id,
                          Batch.id == batch_applications.c.batch_id, Batch.state == BatchState.PENDING_APPROVAL)


def _with_finding(*conditions):
    return exists().where(Finding.application_id == Application.id, *conditions)


def clean_conditions() -> list:
    """The lane as SQL conditions on Application; _why_not_clean() says the same of given ids, reason by reason."""
    return [Application.state == State.READY, confirmed_by_everyone(),
            ~_with_finding(Finding.code == FindingCode.DOCUMENT_MISSING),
            ~_with_finding(Finding.severity.in_(UNCLEAN_SEVERITIES)), ~_in_pending_batch()]


def lane(max_offers: int = MAX_OFFERS) -> Lane:
    """The clean applications in offers of CLEAN_LANE_BATCH_SIZE, decision due soonest first (those without a
    due time last, oldest first); at most `max_offers` offers. Two queries whatever the queue's length."""
    size = current_app.config["CLEAN_LANE_BATCH_SIZE"]
    conditions = clean_conditions()
    rows = db.session.execute(
        select(Application.id, Application.state, Application.decision_due_at, Application.approved_at,
               Application.decided_at).where(*conditions)
        .order_by(Application.decision_due_at.is_(None), Application.decision_due_at, Application.id)
        .limit(size * max_offers)).all()
    total = len(rows) if len(rows) < size * max_offers else db.session.scalar(
        select(func.count()).select_from(Application).where(*conditions))
    now = utcnow()
    offers = []
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        first = chunk[0]  # due soonest: the order above
        offers.append(Offer(tuple(row.id for row in chunk), first.decision_due_at, is_late(first, now)))
    return Lane(offers, total, size)


def _why_not_clean(applications: list[Application], ids: list[int]) -> dict[int, str]:
    """application id -> why it is not clean now (worded to follow "Application N"), for those of `ids` that are
    not; the same judgement as clean_conditions(), in four queries whatever the count."""
    found = {a.id: a for a in applications}
    why: dict[int, str] = {i: _("does not exist") for i in ids if i not in found}
    for application in applications:
        if application.state != State.READY:
            why[application.id] = _("is %(state)s now, no longer waiting for review",
                                    state=state_words(application.state))
    open_ids = [i for i in found if i not in why]
    for application_id, batch_id in pending_batch_ids(open_ids).items():
        why[application_id] = _("was put in batch %(batch)s meanwhile", batch=batch_id)
    open_ids = [i for i in open_ids if i not in why]
    unconfirmed: dict[int, list[str]] = {}
    for application_id, organisation in db.session.execute(
            select(IspConfirmation.application_id, IspConfirmation.organisation_id)
            .where(among(IspConfirmation.application_id, open_ids),
                   IspConfirmation.state != ConfirmationState.CONFIRMED)):
        unconfirmed.setdefault(application_id, []).append(organisation)
    codes: dict[int, set[str]] = {}
    for application_id, code, severity in db.session.execute(
            select(Finding.application_id, Finding.code, Finding.severity).distinct()
            .where(among(Finding.application_id, open_ids),
                   Finding.severity.in_(UNCLEAN_SEVERITIES) | (Finding.code == FindingCode.ISP_UNCONFIRMED))):
        codes.setdefault(application_id, set()).add(code)
    for application_id in open_ids:
        found_codes = codes.get(application_id, set())
        if application_id in unconfirmed or FindingCode.ISP_UNCONFIRMED in found_codes:
            why[application_id] = _("is not confirmed by every ISP or operator concerned")
        elif FindingCode.DOCUMENT_MISSING in found_codes:
            why[application_id] = _("lacks a document its category needs")
        elif found_codes:
            why[application_id] = _("has warnings now (%(codes)s)", codes=", ".join(sorted(found_codes)))
    return why


def batch_offer(application_ids, maker) -> LaneBatch:
    """Batch the offered applications that are still clean, `maker` the maker, the note saying it came from the
    lane; the others are left out, each named with why. 409 naming them all when none is still clean. The caller
    commits.

    The applications are locked (in id order, as batches.create_batch locks them) before they are read again, so
    a maker batching the same ones at the same moment waits, then finds them batched: of two clicks on one offer,
    one makes the batch and the other is refused naming the batch they went into."""
    ids = batches.checked_application_ids(application_ids)
    maker = acting(maker)
    applications = locked(select(Application).where(among(Application.id, ids)).order_by(Application.id),
                          of=Application)
    why = _why_not_clean(applications, ids)
    left_out = [{"application_id": i, "message": sentence(i, why[i])} for i in ids if i in why]
    clean = [i for i in ids if i not in why]
    if not clean:
        raise Conflict(ngettext("The offered application is no longer clean; nothing was batched.",
                                "None of the %(num)s offered applications is still clean; nothing was batched.",
                                len(ids)), field="application_ids", details=left_out)
    batch = batches.create_batch(clean, maker, note=NOTE.english)
    return LaneBatch(batch, clean, left_out)


def note_text(note: str | None) -> str | None:
    """A batch's note as its reader reads it: the lane's own note in the reader's language, a maker's as written."""
    return str(NOTE) if note == NOTE.english else note
