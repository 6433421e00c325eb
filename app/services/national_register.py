"""The national register: every approved and pending entry, in an OverlapIndex kept warm in the worker.

Loading a million entries takes seconds, so a worker builds the index once and then follows a
Redis stream (the feed) on which every committed change of an application's place in the register
is announced: submitted, approved, withdrawn, rejected, revoked, expired, or edited while pending.
Entries of changed applications are read again into a small delta index that masks the base one;
the base is rebuilt when the delta grows or gets old, or when the feed no longer reaches back far
enough (it is capped).
"""
import time
from operator import itemgetter

import numpy as np
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import LargeBinary, SmallInteger, case, cast, select, type_coerce

from app.addresses import AddressRange, CodedColumn, IndexEntry, OverlapIndex
from app.after_commit import call_after_commit
from app.choices import State
from app.extensions import db, queues
from app.models import AddressEntry, Application
from app.system.memory import release_free_memory, without_cyclic_gc

FEED = "raasta:register:feed"
FEED_LENGTH = 200_000
REBUILD_AFTER_CHANGES = 5_000
REBUILD_AFTER_SECONDS = 15 * 60

INDEXED_STATES = State.PENDING + (State.APPROVED,)
CHUNK_ROWS = 50_000  # rows fetched and turned into numpy columns at a time: bounds the Python objects alive


def register_class(state: str) -> str | None:
    """What an application's entries count as in the register: approved space, pending space, or nothing."""
    if state == State.APPROVED:
        return "approved"
    return "pending" if state in State.PENDING else None


def announce(application: Application) -> None:
    """Tell every worker, once this transaction commits, that this application's entries changed."""
    announce_many([application.id])


def announce_many(application_ids: list[int]) -> None:
    """announce() for many applications, sent in one pipeline once this transaction commits."""
    if not application_ids:
        return
    connection, ids = queues.connection, list(application_ids)

    def send():
        try:
            with connection.pipeline(transaction=False) as pipeline:
                for application_id in ids:
                    pipeline.xadd(FEED, {"application": application_id}, maxlen=FEED_LENGTH, approximate=True)
                pipeline.execute()
        except RedisError as exc:
            # The change stands. A worker that missed it may miss an overlap *warning* until its register's
            # next rebuild (REBUILD_AFTER_SECONDS); approvals re-check the approved space in the database.
            current_app.logger.warning("register feed not told of %s: %r", ids, exc)

    call_after_commit(send)


def _text(stream_id) -> str:
    return stream_id.decode() if isinstance(stream_id, bytes) else stream_id


def _rows(application_ids=None):
    query = (select(AddressEntry.version, AddressEntry.start, AddressEntry.end, AddressEntry.application_id,
                    Application.applicant_id, Application.state)
             .join(Application, Application.id == AddressEntry.application_id)
             .where(Application.state.in_(INDEXED_STATES)))
    if application_ids is not None:
        query = query.where(AddressEntry.application_id.in_(application_ids))
    return db.session.execute(query.execution_options(yield_per=CHUNK_ROWS))


def _columns_query():
    state_code = case({state: code for code, state in enumerate(INDEXED_STATES)}, value=Application.state)
    return (select(AddressEntry.version, type_coerce(AddressEntry.start, LargeBinary),
                   type_coerce(AddressEntry.end, LargeBinary), AddressEntry.application_id,
                   Application.applicant_id, state_code)
            .join(Application, Application.id == AddressEntry.application_id)
            .where(Application.state.in_(INDEXED_STATES)))


def _columns() -> list:
    """Every indexed entry as the six columns OverlapIndex.from_columns takes, straight into numpy, in
    chunks: 1.25 M entries take a few seconds and tens of MB, where ORM rows took 11 s and 600 MB.
    PostgreSQL sends them as binary COPY rows, parsed by numpy without a Python object per row."""
    connection = db.session.connection()
    parts = _copied_parts(connection) if connection.dialect.name == "postgresql" else _fetched_parts(connection)
    if parts:
        columns = [np.concatenate(column) for column in zip(*parts)]
    else:
        columns = [np.empty(0, np.int8), np.empty((0, 2), np.uint64), np.empty((0, 2), np.uint64),
                   np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.int8)]
    columns[5] = CodedColumn(columns[5], INDEXED_STATES)
    return columns


def _fetched_parts(connection) -> list[tuple]:
    """Driver tuples (no Row objects, no type processing), the addresses as UInt128's 16 bytes (no Python
    int per row), the state as a small code computed by the database."""
    parts = []
    # yield_per: chunks of plain Core rows (the ORM's row processing took twice as long as the fetch).
    for rows in connection.execute(_columns_query().execution_options(yield_per=CHUNK_ROWS)).partitions():
        count = len(rows)

        def numbers(column: int, dtype):
            return np.fromiter(map(itemgetter(column), rows), dtype, count)

        def addresses(column: int) -> np.ndarray:
            return np.frombuffer(b"".join(map(itemgetter(column), rows)), ">u8").reshape(count, 2).astype(np.uint64)

        parts.append((numbers(0, np.int8), addresses(1), addresses(2), numbers(3, np.int32), numbers(4, np.int32),
                      numbers(5, np.int8)))
    return parts


# One row of `COPY ... (FORMAT BINARY)` of _columns_query() with the casts below: a field count, then per
# field its length and its big-endian value. Every field has a fixed size (UInt128 is always 16 bytes), so
# a buffer of whole rows is a numpy record array.
_COPY_ROW = np.dtype([("fields", ">i2"), ("version_size", ">i4"), ("version", ">i2"),
                      ("start_size", ">i4"), ("start", ">u8", 2), ("end_size", ">i4"), ("end", ">u8", 2),
                      ("application_size", ">i4"), ("application_id", ">i4"),
                      ("applicant_size", ">i4"), ("applicant_id", ">i4"), ("state_size", ">i4"), ("state", ">i2")])
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_COPY_HEADER = len(_COPY_SIGNATURE) + 8  # then flags and header-extension length, both int32 (zero)
_SMALL_COLUMNS = (0, 5)  # version and state code, cast to smallint whatever the columns' own types
_COPY_EXPECTED = {"fields": 6, "version_size": 2, "start_size": 16, "end_size": 16, "application_size": 4,
                  "applicant_size": 4, "state_size": 2}


def _copied_parts(connection) -> list[tuple]:
    """PostgreSQL: the rows as binary COPY, parsed CHUNK_ROWS at a time (bounded memory)."""
    query = _columns_query()
    query = query.with_only_columns(*(cast(column, SmallInteger) if n in _SMALL_COLUMNS else column
                                      for n, column in enumerate(query.selected_columns)))
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    parts, pending, header = [], bytearray(), True
    chunk_bytes = CHUNK_ROWS * _COPY_ROW.itemsize
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
            for block in copy:
                pending += block
                if header and len(pending) >= _COPY_HEADER:
                    if bytes(pending[:len(_COPY_SIGNATURE)]) != _COPY_SIGNATURE:
                        raise ValueError("PostgreSQL's COPY did not send its binary signature")
                    del pending[:_COPY_HEADER]
                    header = False
                if len(pending) >= chunk_bytes:
                    whole = len(pending) // _COPY_ROW.itemsize * _COPY_ROW.itemsize
                    parts.append(_copy_columns(pending[:whole]))
                    del pending[:whole]
    if pending[-2:] != b"\xff\xff":
        raise ValueError("PostgreSQL's COPY ended without its trailer")
    del pending[-2:]
    if pending:
        parts.append(_copy_columns(pending))
    return parts


def _copy_columns(buffer: bytearray) -> tuple:
    rows = np.frombuffer(buffer, _COPY_ROW)
    for field, size in _COPY_EXPECTED.items():
        if not (rows[field] == size).all():  # a NULL (-1) or another size: the layout is not what we read
            raise ValueError(f"unexpected {field} in the register's COPY rows")
    return (rows["version"].astype(np.int8), rows["start"].astype(np.uint64), rows["end"].astype(np.uint64),
            rows["application_id"].astype(np.int32), rows["applicant_id"].astype(np.int32),
            rows["state"].astype(np.int8))


class Register:
    """A worker's copy of the register. refresh() before a round of checks; conflicts() during it."""

    def __init__(self):
        self.base: OverlapIndex | None = None
        self.delta = OverlapIndex()
        self.changed: set[int] = set()   # applications whose base entries are masked by the delta
        self.feed_position = "0-0"
        self.built_at = 0.0

    def refresh(self) -> None:
        connection = queues.connection
        stale = time.monotonic() - self.built_at > REBUILD_AFTER_SECONDS
        if self.base is None or stale or len(self.changed) > REBUILD_AFTER_CHANGES:
            self._rebuild(connection)
            return
        news = connection.xread({FEED: self.feed_position}, count=FEED_LENGTH)
        if not news:
            return
        messages = news[0][1]
        oldest = connection.xinfo_stream(FEED)["first-entry"]
        if oldest and self._before(self.feed_position, oldest[0]) and self.feed_position != "0-0":
            self._rebuild(connection)  # the capped feed lost changes we never saw
            return
        self.feed_position = _text(messages[-1][0])
        self._reload({int(fields[b"application"]) for _, fields in messages})

    @staticmethod
    def _before(position: str, entry_id) -> bool:
        def as_pair(stream_id: str) -> tuple[int, int]:
            milliseconds, sequence = stream_id.split("-")
            return int(milliseconds), int(sequence)

        return as_pair(position) < as_pair(_text(entry_id))

    def _rebuild(self, connection) -> None:
        last = connection.xrevrange(FEED, count=1)  # read first: a change after this point is replayed later
        self.feed_position = _text(last[0][0]) if last else "0-0"
        self.base = None  # the old index goes first: two at once would double the worker's peak memory
        with without_cyclic_gc():
            self.base = OverlapIndex.from_column_list(_columns())
        self.delta, self.changed = OverlapIndex(), set()
        self.built_at = time.monotonic()
        release_free_memory()

    def _reload(self, application_ids: set[int]) -> None:
        self.changed |= application_ids
        kept = [e for e in self.delta if e.application_id not in application_ids]
        self.delta = OverlapIndex.build(kept + [IndexEntry(*row) for row in _rows(list(application_ids))])

    def conflicts(self, rng: AddressRange) -> list[IndexEntry]:
        found = [e for e in self.base.conflicts(rng) if e.application_id not in self.changed]
        return found + self.delta.conflicts(rng)


_worker_register = Register()


def worker_register() -> Register:
    """The process-wide register, fresh as of now."""
    _worker_register.refresh()
    return _worker_register
