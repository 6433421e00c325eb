"""The address blocks and subscriber feeds left to publish: marked where the approved space or a holder changes,
taken by publish().

Every change of what a version shows goes through here in the transaction that makes it: approved_space adds or
removes prefixes, profiles renames a holder. publish() takes the marks in the same transaction (or the next
publication does), re-renders those blocks only, and keeps every other block's pieces. Marking too much costs a
re-render that gives the same bytes; marking too little would leave a stale block, which `flask whitelist verify`
finds and `flask whitelist publish --full` repairs. Feeds are marked by organisation, the same way: an approval,
removal or renamed holder marks the organisations serving the subscriptions concerned.
"""
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.export.blocks import block_of
from app.extensions import db
from app.models import Application, ApprovedPrefix, ApprovedSubscription, WhitelistDirtyBlock, WhitelistDirtyFeed
from app.services.id_lists import among

BlockKey = tuple[int, int]  # (IP version, block number)


def blocks_of_span(version: int, start: int, end: int) -> range:
    """The numbers of the blocks an inclusive address span touches (one, unless it is wider than a block)."""
    return range(block_of(version, start), block_of(version, end) + 1)


def keys_of(spans: Iterable[tuple[int, int, int]]) -> set[BlockKey]:
    """The blocks of each (version, start, end) span."""
    return {(version, block) for version, start, end in spans for block in blocks_of_span(version, start, end)}


# Every approved prefix's span: what the marks and publication's block lists are made from.
SPANS = select(ApprovedPrefix.version, ApprovedPrefix.start, ApprovedPrefix.end)


def mark_spans(spans: Iterable[tuple[int, int, int]]) -> None:
    """Mark the blocks of each (version, start, end) span."""
    mark(keys_of(spans))


def mark(keys: Iterable[BlockKey]) -> None:
    _insert_new(WhitelistDirtyBlock, [{"version": version, "block": block} for version, block in sorted(set(keys))])


def mark_organisations(organisation_ids: Iterable[int]) -> None:
    """Mark the feeds of these organisations: their subscriptions, or a holder of one, changed."""
    _insert_new(WhitelistDirtyFeed, [{"organisation_id": id_} for id_ in sorted(set(organisation_ids))])


def _insert_new(model, rows: list[dict]) -> None:
    if not rows:
        return
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(model).on_conflict_do_nothing(), rows)


# The organisations serving approved subscriptions, and the query that marks their feeds.
FEEDS = select(ApprovedSubscription.organisation_id).distinct()


def mark_applications(application_ids: list[int]) -> None:
    """Mark the blocks of the applications' approved prefixes and the feeds of their approved subscriptions
    (before they are removed, or when their holder's details change)."""
    mark_spans(db.session.execute(SPANS.where(among(ApprovedPrefix.application_id, application_ids))))
    mark_organisations(db.session.scalars(FEEDS.where(among(ApprovedSubscription.application_id, application_ids))))


def mark_applicant(user_id: int) -> None:
    """Mark the blocks of every approved prefix the applicant holds, and the feeds of every approved subscription:
    their name is on each of those rows. Found through their applications (both lookups indexed: a million
    prefixes are not scanned for a profile edit)."""
    mark_spans(db.session.execute(SPANS.join(Application, Application.id == ApprovedPrefix.application_id)
                                  .where(Application.applicant_id == user_id)))
    mark_organisations(db.session.scalars(FEEDS.join(Application, Application.id == ApprovedSubscription.application_id)
                                          .where(Application.applicant_id == user_id)))


def take() -> set[BlockKey]:
    """Every marked block, unmarked: the caller (publish, holding the publication lock) re-renders them."""
    return {(version, block) for version, block in db.session.execute(
        delete(WhitelistDirtyBlock).returning(WhitelistDirtyBlock.version, WhitelistDirtyBlock.block))}


def take_feeds() -> set[int]:
    """Every marked organisation, unmarked: the caller (publish) renders their feeds' rows again."""
    return set(db.session.scalars(delete(WhitelistDirtyFeed).returning(WhitelistDirtyFeed.organisation_id)))
