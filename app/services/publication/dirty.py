"""The address blocks left to publish: marked where the approved space or a holder changes, taken by publish().

Every change of what a version shows goes through here in the transaction that makes it: approved_space adds or
removes prefixes, profiles renames a holder. publish() takes the marks in the same transaction (or the next
publication does), re-renders those blocks only, and keeps every other block's pieces. Marking too much costs a
re-render that gives the same bytes; marking too little would leave a stale block, which `flask whitelist verify`
finds and `flask whitelist publish --full` repairs.
"""
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.export.blocks import block_of
from app.extensions import db
from app.models import Application, ApprovedPrefix, WhitelistDirtyBlock
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
    keys = sorted(set(keys))
    if not keys:
        return
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(WhitelistDirtyBlock).on_conflict_do_nothing(),
                       [{"version": version, "block": block} for version, block in keys])


def mark_applications(application_ids: list[int]) -> None:
    """Mark the blocks of the applications' approved prefixes (before they are removed, or when their holder's
    details change)."""
    mark_spans(db.session.execute(SPANS.where(among(ApprovedPrefix.application_id, application_ids))))


def mark_applicant(user_id: int) -> None:
    """Mark the blocks of every approved prefix the applicant holds: their name is on each of those rows. Found
    through their applications (both lookups indexed: a million prefixes are not scanned for a profile edit)."""
    mark_spans(db.session.execute(SPANS.join(Application, Application.id == ApprovedPrefix.application_id)
                                  .where(Application.applicant_id == user_id)))


def take() -> set[BlockKey]:
    """Every marked block, unmarked: the caller (publish, holding the publication lock) re-renders them."""
    return {(version, block) for version, block in db.session.execute(
        delete(WhitelistDirtyBlock).returning(WhitelistDirtyBlock.version, WhitelistDirtyBlock.block))}
