"""verify_chain(): recompute every hash, and hold the chain to every signed head it must contain.

A chain can be internally sound and still false: rewrite event 5 and recompute every hash after it,
or cut the newest events. So the chain is also checked against anchors kept where such a rewrite
cannot follow: heads signed with the Ed25519 key (checkpoints, written with each whitelist version and
hourly), the heads stored with published whitelist versions (which ISPs hold in the signed JSON), and
heads an auditor kept and gives on the command line. And the triggers that make the table
append-only must all be in force.
"""
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat

from cryptography.exceptions import InvalidSignature
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS_HASH, HASHED_COLUMNS, canonical_values, chain_hash, checkpoint_message
from app.audit.protection import missing_triggers
from app.extensions import db
from app.models import AuditCheckpoint, AuditEvent, WhitelistVersion

PARALLEL_FROM = 200_000  # events; below this, starting worker processes costs more than it saves


@dataclass
class ChainReport:
    events: int  # how many events, from the first, were checked and found sound
    head_hash: str  # the hash of the last of those
    broken_seq: int | None = None
    problem: str = ""
    missing_triggers: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.broken_seq is None and not self.missing_triggers


@dataclass
class _Span:
    """What checking the events first..last found; its first prev_hash is checked by the caller."""

    first: int
    entry_hash: str | None = None  # the first event's prev_hash
    last_hash: str | None = None  # the hash of the last sound event
    broken_seq: int | None = None
    problem: str = ""


def _link_problem(seq: int, prev_hash: str, expected_seq: int, expected_prev_hash: str) -> str:
    if seq != expected_seq:
        return f"event {expected_seq} is missing (the next event stored is {seq})"
    if prev_hash != expected_prev_hash:
        return f"its prev_hash does not match the hash of event {expected_seq - 1}"
    return "its hash does not match its contents: the event was changed after it was written"


def _check_span(connection, first: int, last: int, anchors: dict, batch_size: int) -> _Span:
    """`anchors` maps a seq to (the hash it must have, who says so)."""
    # Core rows unpacked as tuples, not ORM objects: at a million events, per-row overhead is seconds.
    rows = connection.execute(select(*HASHED_COLUMNS, AuditEvent.prev_hash, AuditEvent.hash)
                              .where(AuditEvent.seq.between(first, last)).order_by(AuditEvent.seq),
                              execution_options={"yield_per": batch_size})
    span, expected, previous = _Span(first), first, None
    for *hashed, prev_hash, stored_hash in rows:
        seq = hashed[0]
        if seq == first:
            span.entry_hash = previous = prev_hash
        if seq != expected or prev_hash != previous or chain_hash(previous, canonical_values(*hashed)) != stored_hash:
            span.broken_seq, span.problem = expected, _link_problem(seq, prev_hash, expected, previous)
            rows.close()
            break
        if seq in anchors and anchors[seq][0] != stored_hash:
            span.broken_seq = seq
            span.problem = (f"its hash differs from the one {anchors[seq][1]} holds: the chain was rewritten "
                            "at or before this event and its hashes recomputed")
            rows.close()
            break
        expected, previous = expected + 1, stored_hash
    else:
        if expected <= last:
            span.broken_seq, span.problem = expected, f"event {expected} is missing"
    span.last_hash = previous
    return span


def _check_span_at(database_url: str, first: int, last: int, anchors: dict, batch_size: int) -> _Span:
    """_check_span in a worker process, on a connection of its own."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return _check_span(connection, first, last, anchors, batch_size)
    finally:
        engine.dispose()


def _anchors(session: Session, public_key, expected_heads) -> tuple[dict, ChainReport | None]:
    """Every head the chain must contain, by seq; or a report naming a checkpoint whose signature fails."""
    anchors = {}
    for serial, seq, head_hash in session.execute(select(
            WhitelistVersion.serial, WhitelistVersion.audit_head_seq, WhitelistVersion.audit_head_hash)
            .where(WhitelistVersion.audit_head_seq.is_not(None))):
        anchors.setdefault(seq, (head_hash, f"whitelist version {serial}"))
    for seq, head_hash, signature in session.execute(select(
            AuditCheckpoint.seq, AuditCheckpoint.hash, AuditCheckpoint.signature)):
        if public_key is not None:
            try:
                public_key.verify(signature, checkpoint_message(seq, head_hash))
            except InvalidSignature:
                # The key is the first suspect after a restore or a move to another host: say so before tampering.
                return {}, ChainReport(0, GENESIS_HASH, seq, f"the signed checkpoint at event {seq} has a signature "
                                                             "that does not verify with this signing key: either "
                                                             "WHITELIST_SIGNING_KEY is not the key that signed it, or "
                                                             "checkpoints were tampered with")
        anchors[seq] = (head_hash, f"the signed checkpoint at event {seq}")
    for seq, head_hash in expected_heads:
        anchors[seq] = (head_hash, f"the expected head {seq}:{head_hash[:12]}…")
    return anchors, None


def verify_chain(session: Session | None = None, batch_size: int = 20_000, workers: int | None = None,
                 public_key=None, expected_heads: tuple[tuple[int, str], ...] = ()) -> ChainReport:
    """Check the protective triggers, recompute every hash in seq order, and match every anchor.

    Each event carries its prev_hash, so spans of the chain can be checked side by side and joined:
    from PARALLEL_FROM events on, one process per CPU (at most 8) checks a span each. Give
    `public_key` (Ed25519) to check the checkpoints' signatures; `expected_heads` are (seq, hash)
    pairs kept outside the database.
    """
    session = session or db.session
    missing = missing_triggers(session.connection())
    anchors, forged = _anchors(session, public_key, expected_heads)
    if forged:
        forged.missing_triggers = missing
        return forged
    last = session.scalar(select(func.max(AuditEvent.seq))) or 0
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if last >= PARALLEL_FROM else 1
    size = -(-last // workers) or 1
    firsts = list(range(1, last + 1, size)) or [1]
    lasts = [min(first + size - 1, last) for first in firsts]
    if len(firsts) == 1:
        spans = [_check_span(session.connection(), 1, last, anchors, batch_size)]
    else:
        url = session.get_bind().url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(len(firsts), mp_context=multiprocessing.get_context("spawn")) as pool:
            spans = list(pool.map(_check_span_at, repeat(url), firsts, lasts, repeat(anchors), repeat(batch_size)))
    report = _join(spans, anchors, last)
    report.missing_triggers = missing
    return report


def _join(spans: list[_Span], anchors: dict, last: int) -> ChainReport:
    previous = GENESIS_HASH
    for span in spans:
        if span.entry_hash is not None and span.entry_hash != previous:
            return ChainReport(span.first - 1, previous, span.first,
                               f"its prev_hash does not match the hash of event {span.first - 1}")
        if span.broken_seq is not None:
            return ChainReport(span.broken_seq - 1, span.last_hash or previous, span.broken_seq, span.problem)
        previous = span.last_hash or previous
    beyond = sorted(seq for seq in anchors if seq > last)
    if beyond:
        seq = beyond[0]
        return ChainReport(last, previous, last + 1,
                           f"{anchors[seq][1]} names event {seq}, but the chain ends at event {last}: "
                           "the newest events were deleted")
    return ChainReport(last, previous)
