"""The document store in an S3-compatible bucket (DOCUMENT_STORE=s3://bucket/prefix): one object per sha256, at
`<prefix>/<sha256[:2]>/<sha256>`, streamed back CHUNK_BYTES at a time from one GetObject, never read whole.

Content-addressed, so storing bytes that are there already is a HEAD and nothing more. Unlike the database
store, an object cannot join the upload's transaction: it is written before the commit, so an upload rolled
back (or a process killed between the PUT and the commit) leaves an object that no document names.
`flask documents orphans` lists those and `--delete` removes them; `flask documents verify` counts them.

Deleting is the delicate part. Transaction A may find the object there (HEAD) and skip the upload while
transaction B removes the last document naming it: B must not delete the object under A's document. So:
- `put` takes a shared lock on the sha256 (PostgreSQL: an advisory lock; SQLite: its one write lock), held until
  A commits or rolls back;
- `delete_if_unused` deletes nothing inside B's transaction (B may still roll back). Once B has committed, a
  transaction of its own takes the lock exclusively (waiting for every A still holding it), looks again for a
  committed document naming the sha256, and deletes the object only if there is none, before it lets go.
So an A that comes after the delete finds no object and uploads the bytes again, and an A before it has
committed its document by the time the delete looks. A failed delete (S3 away) only leaves an orphan.
"""
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.config import Config as BotocoreConfig
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from app.after_commit import call_after_commit
from app.config import s3_location
from app.extensions import db
from app.models import Document
from app.services.document_store import Unreachable
from app.services.document_store.database import CHUNK_BYTES, Corrupt, Missing
from app.system.plurals import counted

log = logging.getLogger(__name__)

_LOCK_CLASS = 0x444F_4353  # "DOCS": the first key of the two-key advisory locks on a sha256
_LOCK_ARGUMENTS = "CAST(:cls AS integer), CAST(:key AS integer)"  # the (int4, int4) form, apart from bigint keys
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}

_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def _client():
    """One boto3 client per process (and endpoint), made on first use: boto3 clients are thread-safe but not
    to be shared across a fork, so a web process forked from one that had a client makes its own."""
    endpoint = current_app.config.get("S3_ENDPOINT_URL")
    key = (os.getpid(), endpoint)
    if (client := _clients.get(key)) is None:
        with _clients_lock:
            if (client := _clients.get(key)) is None:
                client = _clients[key] = make_client(endpoint)
    return client


def make_client(endpoint_url: str | None):
    """A boto3 S3 client for AWS (endpoint_url None) or an S3-compatible service; credentials and region from
    boto3's usual places (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, ~/.aws, a role)."""
    config = BotocoreConfig(
        connect_timeout=5, read_timeout=60, retries={"mode": "standard", "max_attempts": 3},
        max_pool_connections=32,  # each download holds a connection while it streams
        # Path-style URLs, and checksums only where S3 requires them: what MinIO and Ceph understand. The store
        # checks the bytes by their sha256 anyway (problem_with, `flask documents verify`).
        s3={"addressing_style": "path"} if endpoint_url else None,
        request_checksum_calculation="when_required", response_checksum_validation="when_required")
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)


def _location() -> tuple[str, str]:
    return s3_location(current_app.config["DOCUMENT_STORE"])


def _key(sha256: str) -> str:
    _, prefix = _location()
    return f"{prefix}/{sha256[:2]}/{sha256}" if prefix else f"{sha256[:2]}/{sha256}"


def _bucket() -> str:
    return _location()[0]


def _not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _NOT_FOUND


@contextmanager
def _answering():
    """S3 away, or refusing (credentials, a bucket gone): Unreachable, which the portal answers with a 503."""
    try:
        yield
    except ClientError as error:
        if _not_found(error):
            raise
        raise Unreachable(f"the bucket {_bucket()!r}: {error}") from error
    except BotoCoreError as error:
        raise Unreachable(f"the bucket {_bucket()!r}: {error}") from error


def _lock_key(sha256: str) -> int:
    return int.from_bytes(bytes.fromhex(sha256[:8]), "big", signed=True)


def _share_lock(sha256: str) -> None:
    """Until this transaction ends, no unused-object delete of `sha256` runs (see the module's docstring)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SELECT pg_advisory_xact_lock_shared({_LOCK_ARGUMENTS})"),
                           {"cls": _LOCK_CLASS, "key": _lock_key(sha256)})
    else:
        db.session.execute(text("UPDATE batches SET id = id WHERE 0"))  # SQLite's one write lock (services.locks)


def put(content: bytes) -> str:
    sha256 = hashlib.sha256(content).hexdigest()
    _share_lock(sha256)
    if not exists(sha256):
        with _answering():
            _client().put_object(Bucket=_bucket(), Key=_key(sha256), Body=content,
                                 ContentType="application/octet-stream")
    return sha256


def open(sha256: str) -> Iterator[bytes]:  # noqa: A001
    try:
        with _answering():
            response = _client().get_object(Bucket=_bucket(), Key=_key(sha256))
    except ClientError as error:
        if _not_found(error):
            raise Missing(sha256) from None
        raise
    return _chunks(sha256, response["Body"], response["ContentLength"])


def _chunks(sha256: str, body, size: int) -> Iterator[bytes]:
    """The body read CHUNK_BYTES at a time as the download is sent; the connection goes back to the pool at the
    end, or when the download is abandoned (the generator closed)."""
    sent = 0
    try:
        while data := body.read(CHUNK_BYTES):
            sent += len(data)
            yield data
    finally:
        body.close()
    if sent != size:
        raise Corrupt(f"document object {sha256} sent {counted(sent, 'byte')}, not {size:,}")


def exists(sha256: str) -> bool:
    try:
        with _answering():
            _client().head_object(Bucket=_bucket(), Key=_key(sha256))
    except ClientError as error:
        if _not_found(error):
            return False
        raise
    return True


def delete_if_unused(sha256: str) -> bool:
    """Whether no document names the bytes now; if so they are deleted after the commit, if still none does."""
    db.session.flush()
    if _named(db.session, sha256):
        return False
    bucket, key, client = _bucket(), _key(sha256), _client()
    engine = db.engine
    call_after_commit(lambda: _delete_when_still_unused(engine, client, bucket, key, sha256))
    return True


def _named(connection, sha256: str) -> bool:
    """Whether a document names the bytes, asked through the session or through a connection of its own."""
    return connection.execute(select(Document.id).where(Document.sha256 == sha256).limit(1)).first() is not None


def _delete_when_still_unused(engine, client, bucket: str, key: str, sha256: str) -> None:
    """After the commit (the session can run no SQL then): a transaction of its own, the exclusive lock, a last
    look for a document, the delete. A failure leaves an orphan object for `flask documents orphans`."""
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_ARGUMENTS})"),
                                   {"cls": _LOCK_CLASS, "key": _lock_key(sha256)})
            else:
                connection.execute(text("UPDATE batches SET id = id WHERE 0"))
            if not _named(connection, sha256):
                client.delete_object(Bucket=bucket, Key=key)
    except (BotoCoreError, ClientError, SQLAlchemyError):
        log.exception("could not delete the unused document object %s; `flask documents orphans --delete` will", key)


def stored() -> Iterator[str]:
    bucket, prefix = _location()
    start = f"{prefix}/" if prefix else ""
    for page in _client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=start):
        for item in page.get("Contents", []):
            # Keys sort as their sha256 do (the folder is the hash's first two characters); others are not ours.
            folder, _, sha256 = item["Key"].removeprefix(start).partition("/")
            if len(sha256) == 64 and sha256[:2] == folder and all(c in "0123456789abcdef" for c in sha256):
                yield sha256


def problem_with(sha256: str) -> str | None:
    try:
        chunks = open(sha256)
    except Missing:
        return "not stored"
    digest = hashlib.sha256()
    try:
        for chunk in chunks:
            digest.update(chunk)
    except Corrupt as error:
        return str(error)
    if digest.hexdigest() != sha256:
        return f"its bytes hash to {digest.hexdigest()}"
    return None
