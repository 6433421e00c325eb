"""The approved space as ApprovedPrefix and ApprovedSubscription rows: what entries and subscriptions would
collide with, adding and removing them.

An entry about to be approved must not overlap space approved for another applicant, nor another applicant's
entry batched with it; a subscription (operator and identifier) must not be approved for another applicant,
nor batched with another applicant's same one. The first check reports every clash, the second every entry
that clashes (with one partner, found in a sweep rather than pair by pair), so a refused batch names each
application at fault at once; batching runs the second too. PostgreSQL's exclusion constraint refuses the same
overlaps (and the same subscription for two applicants) again at insert time: add_guarded() turns that refusal
into a 409.
"""
import random
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, union_all
from sqlalchemy.exc import IntegrityError

from app.addresses import AddressRange
from app.addresses.ranges import BITS, format_address, prefixes_of
from app.choices import SubscriptionKind
from app.extensions import db
from app.i18n import _
from app.models import (
    AddressEntry,
    Application,
    ApprovedPrefix,
    ApprovedSubscription,
    IspOrganisation,
    Subscription,
)
from app.services import Conflict
from app.services.id_lists import among
from app.services.publication import dirty
from app.services.subscriptions.inputs import shown_identifier

MAX_WINDOWS = 50        # queries per IP version to find the approved space around a batch


@dataclass(frozen=True)
class SpaceEntry:
    """An entry as the approved space sees it: whose it is and which addresses."""

    application_id: int
    applicant_id: int
    entry_id: int
    version: int
    start: int
    end: int

    def __str__(self) -> str:
        return str(AddressRange(self.version, self.start, self.end))

    def clashing(self, other) -> str:
        return _("has entry %(entry)s overlapping %(other)s", entry=self, other=other)


@dataclass(frozen=True)
class SpaceSubscription:
    """A subscription as the approved space sees it: whose it is, and which operator's subscriber."""

    application_id: int
    applicant_id: int
    subscription_id: int
    organisation_id: int
    operator: str
    kind: str
    identifier: str

    @property
    def key(self) -> tuple[int, str]:
        return self.organisation_id, self.identifier

    def __str__(self) -> str:
        shown = shown_identifier(self.kind, self.identifier)
        return _("%(kind)s %(identifier)s (%(operator)s)", kind=SubscriptionKind.LABELS[self.kind].lower(),
                 identifier=shown, operator=self.operator)

    def clashing(self, other) -> str:
        return _("has %(subscription)s", subscription=self)


@dataclass(frozen=True)
class Clash:
    """`entry` overlaps `other` (or, two subscriptions, is the same operator's same subscriber), which belongs
    to another applicant (approved, or in the same batch)."""

    entry: SpaceEntry | SpaceSubscription
    other: SpaceEntry | SpaceSubscription
    approved: bool  # other is approved space; else it is about to be approved alongside

    def message(self) -> str:
        """What is wrong with `entry`'s application, worded to follow "Application N" (sentence())."""
        if self.approved:
            return _("%(clash)s, approved for application %(id)s of another applicant",
                     clash=self.entry.clashing(self.other), id=self.other.application_id)
        return _("%(clash)s, in this batch too, for application %(id)s of another applicant",
                 clash=self.entry.clashing(self.other), id=self.other.application_id)


def sentence(application_id: int, problem: str) -> str:
    """"Application 7 has entry ... .": a problem worded to follow "Application N", as a sentence."""
    return _("Application %(id)s %(problem)s.", id=application_id, problem=problem)


def entries_of(application_ids: list[int]) -> list[SpaceEntry]:
    return [SpaceEntry(*row) for row in db.session.execute(
        select(AddressEntry.application_id, Application.applicant_id, AddressEntry.id, AddressEntry.version,
               AddressEntry.start, AddressEntry.end)
        .join(Application, Application.id == AddressEntry.application_id)
        .where(among(AddressEntry.application_id, application_ids)).order_by(AddressEntry.id))]


def add(entries: list[SpaceEntry]) -> int:
    """One ApprovedPrefix row per CIDR of each entry, in one bulk insert; returns how many.

    The rows go in shuffled. Inserted in address order, PostgreSQL's GiST index behind the exclusion
    constraint (inet_ops) grows pages whose keys overlap, and every later insert's check reads many of
    them: at 74,000 prefixes a lookup took 325 µs in a tree built in order and 40 µs in one built shuffled.
    """
    rows = [{"application_id": e.application_id, "entry_id": e.entry_id, "applicant_id": e.applicant_id,
             "version": e.version, "start": network, "end": network | ((1 << (BITS[e.version] - length)) - 1),
             "prefixlen": length, "network": f"{format_address(e.version, network)}/{length}"}
            for e in entries for network, length in prefixes_of(e.start, e.end, BITS[e.version])]
    random.shuffle(rows)
    if rows:
        db.session.execute(insert(ApprovedPrefix.__table__), rows)
        dirty.mark_spans((row["version"], row["start"], row["end"]) for row in rows)
    return len(rows)


def remove(application_ids: list[int]) -> None:
    """The applications' approved prefixes and subscriptions out of the approved space."""
    dirty.mark_applications(application_ids)
    db.session.execute(delete(ApprovedPrefix).where(among(ApprovedPrefix.application_id, application_ids)))
    db.session.execute(delete(ApprovedSubscription).where(among(ApprovedSubscription.application_id,
                                                                application_ids)))


def subscriptions_of(application_ids: list[int]) -> list[SpaceSubscription]:
    return [SpaceSubscription(*row) for row in db.session.execute(
        select(Subscription.application_id, Application.applicant_id, Subscription.id, Subscription.organisation_id,
               IspOrganisation.name, Subscription.kind, Subscription.identifier)
        .join(Application, Application.id == Subscription.application_id)
        .join(IspOrganisation, IspOrganisation.id == Subscription.organisation_id)
        .where(among(Subscription.application_id, application_ids)).order_by(Subscription.id))]


def add_subscriptions(subscriptions: list[SpaceSubscription]) -> int:
    """One ApprovedSubscription row per subscription, in one bulk insert; returns how many."""
    rows = [{"application_id": s.application_id, "subscription_id": s.subscription_id,
             "applicant_id": s.applicant_id, "organisation_id": s.organisation_id, "kind": s.kind,
             "identifier": s.identifier} for s in subscriptions]
    if rows:
        db.session.execute(insert(ApprovedSubscription.__table__), rows)
        dirty.mark_organisations(row["organisation_id"] for row in rows)
    return len(rows)


def add_guarded(entries: list[SpaceEntry], subscriptions: list[SpaceSubscription], refused: str) -> None:
    """Write the approved prefixes and subscriptions. On PostgreSQL inside a savepoint: if an exclusion
    constraint refuses them (a path that skipped the approved-space lock approved the same space or the same
    subscription), only the inserts roll back, and the caller gets a 409 (`refused`, then the database's
    words) with a session it can still use."""
    if db.session.get_bind().dialect.name != "postgresql":
        add(entries)
        add_subscriptions(subscriptions)
        return
    try:
        with db.session.begin_nested():
            add(entries)
            add_subscriptions(subscriptions)
    except IntegrityError as exc:
        raise Conflict(refused, details=[{"message": str(exc.orig).splitlines()[0]}]) from None


def subscription_clashes(subscriptions: list[SpaceSubscription], approved: bool = True) -> list[Clash]:
    """Each of `subscriptions` approved for another applicant (one query, by identifier), then (within) each
    also among `subscriptions` for another applicant; with approved=False only the second (batching)."""
    together: dict[tuple, list[SpaceSubscription]] = {}  # (operator, identifier) -> those of `subscriptions`
    for subscription in subscriptions:
        together.setdefault(subscription.key, []).append(subscription)
    found = []
    if approved and subscriptions:
        rows = db.session.execute(
            select(ApprovedSubscription.application_id, ApprovedSubscription.applicant_id,
                   ApprovedSubscription.subscription_id, ApprovedSubscription.organisation_id, IspOrganisation.name,
                   ApprovedSubscription.kind, ApprovedSubscription.identifier)
            .join(IspOrganisation, IspOrganisation.id == ApprovedSubscription.organisation_id)
            .where(ApprovedSubscription.identifier.in_(sorted({key[1] for key in together})))
            .order_by(ApprovedSubscription.id))
        for held in (SpaceSubscription(*row) for row in rows):
            found += [Clash(mine, held, approved=True) for mine in together.get(held.key, ())
                      if mine.applicant_id != held.applicant_id]
    for group in together.values():
        for mine in group:
            other = next((o for o in group if o.applicant_id != mine.applicant_id), None)
            if other is not None:
                found.append(Clash(mine, other, approved=False))
    return found


def _spans(entries: list[SpaceEntry]) -> list[tuple[int, int, int]]:
    """The entries' addresses as disjoint (version, start, end) spans, in order."""
    spans: list[list[int]] = []
    for e in sorted(entries, key=lambda e: (e.version, e.start)):
        if spans and spans[-1][0] == e.version and e.start <= spans[-1][2] + 1:
            spans[-1][2] = max(spans[-1][2], e.end)
        else:
            spans.append([e.version, e.start, e.end])
    return [tuple(span) for span in spans]


def _windows(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """At most MAX_WINDOWS (version, start, end) windows per version covering the spans: the spans split
    at their widest gaps. A few queries then serve a batch of 10,000 applications, and a small batch
    queries exactly its own space."""
    windows = []
    for version in sorted({v for v, _, _ in spans}):
        mine = [span for span in spans if span[0] == version]
        gaps = sorted(range(1, len(mine)), key=lambda i: mine[i][1] - mine[i - 1][2], reverse=True)
        cuts = sorted(gaps[:MAX_WINDOWS - 1]) + [len(mine)]
        first = 0
        for cut in cuts:
            windows.append((version, mine[first][1], mine[cut - 1][2]))
            first = cut
    return windows


def _approved_in(version: int, start: int, end: int):
    """Approved prefixes overlapping start..end: those starting inside it (ix_approved_prefixes_span), and
    those containing `start`, which begin at `start` with its low bits cleared, one exact lookup per length.
    Two queries in a UNION ALL, each served by the index: joined by OR, SQLite scanned every approved prefix
    (10 s for a 10-application batch at a million prefixes)."""
    containing = sorted({start >> host << host for host in range(1, BITS[version] + 1)} - {start})
    columns = (ApprovedPrefix.id, ApprovedPrefix.application_id, ApprovedPrefix.applicant_id,
               ApprovedPrefix.entry_id, ApprovedPrefix.version, ApprovedPrefix.start, ApprovedPrefix.end)
    inside = select(*columns).where(ApprovedPrefix.version == version, ApprovedPrefix.start.between(start, end))
    if not containing:
        return inside
    return union_all(inside, select(*columns).where(ApprovedPrefix.version == version,
                                                    ApprovedPrefix.start.in_(containing),
                                                    ApprovedPrefix.end >= start))


def approved_near(entries: list[SpaceEntry]):
    """Approved prefixes (as SpaceEntry, entry_id their entry) in the windows around `entries`: every one
    that overlaps an entry, and others between them, which the caller filters out."""
    seen: set[int] = set()
    for window in _windows(_spans(entries)):
        for prefix_id, *row in db.session.execute(_approved_in(*window)):
            if prefix_id not in seen:
                seen.add(prefix_id)
                yield SpaceEntry(*row)


def _overlaps_of(sorted_entries: list[SpaceEntry], starts: list[tuple], max_ends: list[int], other: SpaceEntry):
    """The entries (sorted by (version, start)) that overlap `other`; max_ends[i] is the largest end up to i."""
    i = bisect_right(starts, (other.version, other.end)) - 1
    while i >= 0 and sorted_entries[i].version == other.version and max_ends[i] >= other.start:
        if sorted_entries[i].end >= other.start:
            yield sorted_entries[i]
        i -= 1


def _nearest_other(ordered, reach, reaches) -> Iterator[Clash]:
    """For each entry of `ordered`, in turn, one entry before it of another applicant that reaches it, if any.

    Of the entries seen so far it keeps two: the one reaching furthest (`reach`), and the one reaching
    furthest among the other applicants'. Whichever of the two is not the entry's own applicant's is the
    best candidate, so one pass over sorted entries finds a partner for each: no pairs are compared, and
    ten thousand entries stacked on one range cost what ten thousand apart cost.
    """
    best = second = None
    for entry in ordered:
        if best is not None and best.version != entry.version:
            best = second = None
        partner = best if best is not None and best.applicant_id != entry.applicant_id else second
        if partner is not None and reaches(partner, entry):
            yield Clash(entry, partner, approved=False)
        if best is None or reach(entry) > reach(best):
            if best is not None and best.applicant_id != entry.applicant_id:
                second = best
            best = entry
        elif entry.applicant_id != best.applicant_id and (second is None or reach(entry) > reach(second)):
            second = entry


def within(entries: list[SpaceEntry]) -> list[Clash]:
    """The overlaps between entries of different applicants among `entries`: each entry that overlaps
    another applicant's is named at least once, with one such entry (at most two: one starting before it,
    one after). Two sweeps over the entries sorted by (version, start, end); never pair by pair.

    An entry overlapping one that starts before it is found going forward (the earlier one reaches its
    start); one overlapping an entry that starts after it, going backward (the later one starts by its end).
    """
    ordered = sorted(entries, key=lambda e: (e.version, e.start, e.end, e.entry_id))
    found = list(_nearest_other(ordered, lambda e: e.end, lambda before, e: before.end >= e.start))
    found += _nearest_other(reversed(ordered), lambda e: -e.start, lambda after, e: after.start <= e.end)
    return found


def clashes(entries: list[SpaceEntry]) -> list[Clash]:
    """Every overlap of `entries` with approved space of another applicant, and the overlaps between
    entries of different applicants among themselves (within()); an applicant's own overlaps are allowed."""
    ordered = sorted(entries, key=lambda e: (e.version, e.start, e.end))
    starts = [(e.version, e.start) for e in ordered]
    max_ends, top, version = [], -1, None
    for e in ordered:
        top = max(top, e.end) if e.version == version else e.end
        version = e.version
        max_ends.append(top)
    found = [Clash(mine, held, approved=True) for held in approved_near(entries)
             for mine in _overlaps_of(ordered, starts, max_ends, held) if mine.applicant_id != held.applicant_id]
    return found + within(entries)
