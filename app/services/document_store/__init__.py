"""The document store: documents' bytes by sha256, stored once however many documents share them.

`put(content)` gives the sha256 a Document records; `open(sha256)` gives the bytes back as chunks of at most
CHUNK_BYTES, read one at a time, never the whole file at once; `delete_if_unused(sha256)` deletes them once no
document names them. DOCUMENT_STORE chooses where: `database` (the default) keeps them in the rows of
document_blobs and document_chunks, written in the transaction that records the upload, so a rollback leaves
nothing behind and every host, and every database backup, has every document. `s3://bucket/prefix` keeps them as
objects in an S3-compatible bucket (s3.py), for deployments whose documents outgrow the database; the bucket
is then backed up beside the database, and an upload rolled back can leave an object no document names
(`flask documents orphans`).

Documents from before the store may still be files under instance/documents/ (app.services.document_files).
"""
from collections.abc import Iterator

from flask import current_app

from app.services.document_store import database

CHUNK_BYTES = database.CHUNK_BYTES
Missing = database.Missing
Corrupt = database.Corrupt


class Unreachable(ConnectionError):
    """The store does not answer just now (an S3 bucket's service down or refusing): nothing is wrong with the
    request, it can be tried again."""


def _backend():
    setting = current_app.config["DOCUMENT_STORE"]
    if setting == "database":
        return database
    if setting.startswith("s3://"):
        from app.services.document_store import s3  # boto3 is loaded only where it is used: 0.4 s a process
        return s3
    raise ValueError(f"DOCUMENT_STORE={setting!r} is not a document store")  # config.document_store refuses it first


def put(content: bytes) -> str:
    """Store `content` (once: the same bytes again are not stored twice); its sha256. The caller commits."""
    return _backend().put(content)


def open(sha256: str) -> Iterator[bytes]:  # noqa: A001 - the store's verb, as a file's
    """The stored bytes as chunks of at most CHUNK_BYTES; raises Missing at once when there are none."""
    return _backend().open(sha256)


def exists(sha256: str) -> bool:
    return _backend().exists(sha256)


def delete_if_unused(sha256: str) -> bool:
    """Delete the bytes when no document names them any more (call after removing the document); whether
    it did (with S3: whether it will, after the commit). The caller commits."""
    return _backend().delete_if_unused(sha256)


def stored() -> Iterator[str]:
    """Every stored sha256, in order."""
    return _backend().stored()


def problem_with(sha256: str) -> str | None:
    """Read the bytes again: what is wrong with them (missing pieces, another size or hash), or None."""
    return _backend().problem_with(sha256)
