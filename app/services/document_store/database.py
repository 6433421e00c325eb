"""The document store in the database: a document_blobs row per sha256 and its bytes in document_chunks rows of
CHUNK_BYTES, each read by its own query, so a download holds one chunk at a time on SQLite and PostgreSQL alike.

Two transactions may store the same bytes, or one may store bytes that another is deleting as unused. `put` takes
a share lock on an existing blob, which `delete_if_unused` must wait for (it locks the blob before it looks for
documents naming it), so a blob is never deleted under a document about to be committed.
"""
import hashlib
from collections.abc import Iterator
from itertools import count

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import Document, DocumentBlob, DocumentChunk
from app.system.plurals import counted

CHUNK_BYTES = 256 * 1024


class Missing(LookupError):
    """No bytes are stored under this sha256."""


class Corrupt(ValueError):
    """The stored bytes do not add up to the blob's recorded size."""


def put(content: bytes) -> str:
    sha256 = hashlib.sha256(content).hexdigest()
    while not _lock(sha256, for_update=False):
        if _insert_blob(sha256, len(content)):
            for seq, start in enumerate(range(0, len(content), CHUNK_BYTES)):
                db.session.execute(insert(DocumentChunk).values(sha256=sha256, seq=seq,
                                                                data=content[start:start + CHUNK_BYTES]))
            break
        # Another transaction stored it first (and has committed): lock its blob on the next round.
    return sha256


def _lock(sha256: str, for_update: bool) -> bool:
    """Whether the blob exists, locked (PostgreSQL; SQLite has one writer at a time) until the commit."""
    query = select(DocumentBlob.sha256).where(DocumentBlob.sha256 == sha256).with_for_update(read=not for_update)
    return db.session.scalar(query) is not None


def _insert_blob(sha256: str, size: int) -> bool:
    """Insert the blob row unless another transaction has one; whether this one did (then it writes the chunks)."""
    dialect_insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = db.session.scalar(dialect_insert(DocumentBlob).values(sha256=sha256, size=size)
                                 .on_conflict_do_nothing().returning(DocumentBlob.sha256))
    return inserted is not None  # (not rowcount: psycopg's is -1 here)


def open(sha256: str) -> Iterator[bytes]:  # noqa: A001
    size = db.session.scalar(select(DocumentBlob.size).where(DocumentBlob.sha256 == sha256))
    if size is None:
        raise Missing(sha256)
    return _chunks(sha256, size)


def _chunks(sha256: str, size: int) -> Iterator[bytes]:
    sent = 0
    for data in _pieces(sha256):
        sent += len(data)
        yield data
    if sent != size:  # a piece lost: end the download with an error rather than a short file
        raise Corrupt(f"document blob {sha256} holds {counted(sent, 'byte')}, not {size:,}")


def _pieces(sha256: str) -> Iterator[bytes]:
    for seq in count():
        data = db.session.scalar(select(DocumentChunk.data).where(DocumentChunk.sha256 == sha256,
                                                                  DocumentChunk.seq == seq))
        if data is None:
            return
        yield bytes(data)


def exists(sha256: str) -> bool:
    return db.session.scalar(select(DocumentBlob.sha256).where(DocumentBlob.sha256 == sha256)) is not None


def delete_if_unused(sha256: str) -> bool:
    db.session.flush()
    if not _lock(sha256, for_update=True):
        return False
    if db.session.scalar(select(Document.id).where(Document.sha256 == sha256).limit(1)) is not None:
        return False
    db.session.execute(delete(DocumentChunk).where(DocumentChunk.sha256 == sha256))
    db.session.execute(delete(DocumentBlob).where(DocumentBlob.sha256 == sha256))
    return True


def stored() -> Iterator[str]:
    return iter(db.session.scalars(select(DocumentBlob.sha256).order_by(DocumentBlob.sha256)).all())


def problem_with(sha256: str) -> str | None:
    size = db.session.scalar(select(DocumentBlob.size).where(DocumentBlob.sha256 == sha256))
    if size is None:
        return "not stored"
    seqs = db.session.scalars(select(DocumentChunk.seq).where(DocumentChunk.sha256 == sha256)
                              .order_by(DocumentChunk.seq)).all()
    if seqs != list(range(len(seqs))):
        return f"pieces {sorted(set(range(max(seqs, default=-1) + 1)) - set(seqs))} are missing"
    digest, read = hashlib.sha256(), 0
    for chunk in _pieces(sha256):
        digest.update(chunk)
        read += len(chunk)
    if read != size:
        return f"holds {counted(read, 'byte')}, not {size:,}"
    if digest.hexdigest() != sha256:
        return f"its bytes hash to {digest.hexdigest()}"
    return None

