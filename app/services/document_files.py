"""Documents kept as files under instance/documents/ before the document store (migration 0017): read from there
until `flask documents migrate` moves each into the store, checked against the sha256 its Document recorded.

A document still on disk has its `stored_name`; one in the store has none. Files are removed only once the commit
that records their move has succeeded, so an interrupted migration is simply run again.
"""
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.after_commit import call_after_commit
from app.extensions import db
from app.models import Document
from app.services import document_store

MOVED, ALREADY_STORED, NO_FILE, MISMATCH = "moved", "already stored", "no file", "mismatch"


def storage_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "documents"


def file_path(document: Document) -> Path | None:
    """Where the document's file from before the store is, or was; None for a document stored since."""
    return None if document.stored_name is None else storage_dir() / document.stored_name


def file_of(document: Document) -> Path | None:
    """The document's file from before the store, if it still has one on this host's disk."""
    path = file_path(document)
    return path if path is not None and path.is_file() else None


def read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(document_store.CHUNK_BYTES):
            yield chunk


def remove_after_commit(document: Document) -> None:
    """The document is gone: its file from before the store goes once that is committed."""
    if (path := file_path(document)) is not None:
        call_after_commit(lambda: path.unlink(missing_ok=True))


def store_file(document: Document) -> bool:
    """Put the document's file into the store if it is not there yet, as long as its bytes are those it recorded:
    whether the store now has them. The caller commits."""
    if document_store.exists(document.sha256):
        return True
    path = file_of(document)
    if path is None:
        return False
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != document.sha256:
        return False
    document_store.put(content)
    return True


def waiting() -> list[int]:
    """The ids of the documents still held in files, oldest first."""
    return db.session.scalars(select(Document.id).where(Document.stored_name.is_not(None))
                              .order_by(Document.id)).all()


@dataclass
class Move:
    outcome: str  # MOVED, ALREADY_STORED, NO_FILE or MISMATCH
    actual_sha256: str | None = None  # what the file hashes to, when it is not what the document recorded


def move(document: Document) -> Move:
    """Move one document's file into the store; the file goes after the commit. A file whose bytes are not those
    the document recorded (MISMATCH), or a missing file (NO_FILE), is left as it was. The caller commits."""
    path = file_path(document)
    if not path.is_file():
        if not document_store.exists(document.sha256):
            return Move(NO_FILE)
        document.stored_name = None  # the bytes are in the store already (carried over, or the same content)
        return Move(ALREADY_STORED)
    content = path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual != document.sha256:
        return Move(MISMATCH, actual)
    outcome = ALREADY_STORED if document_store.exists(actual) else MOVED
    document_store.put(content)
    document.stored_name = None
    call_after_commit(lambda: path.unlink(missing_ok=True))
    return Move(outcome)


def stray_files() -> list[Path]:
    """Files under instance/documents/ that no document waits on: the bytes of those in the store are safe to
    remove (a move interrupted between its commit and the file's removal); the others are not a document's."""
    folder = storage_dir()
    if not folder.is_dir():
        return []
    waited_on = set(db.session.scalars(select(Document.stored_name).where(Document.stored_name.is_not(None))))
    return sorted(path for path in folder.iterdir() if path.is_file() and path.name not in waited_on)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in read_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()
