"""`flask documents verify`: every stored blob read again and hashed, and every document's bytes found;
`flask documents orphans`: the stored bytes no document names."""
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Document
from app.services import document_files, document_store


@dataclass
class Problem:
    sha256: str
    what: str  # e.g. "its bytes hash to ...", "pieces [3] are missing", "not stored"
    documents: list[Document]


def problems() -> Iterator[Problem]:
    """Each blob whose bytes are not what its sha256 and size say, then each document whose bytes are neither in
    the store nor in a file still to move, with the documents that name it."""
    for sha256 in document_store.stored():
        if what := document_store.problem_with(sha256):
            yield Problem(sha256, what, _naming(sha256))
    seen = set()
    for document in db.session.scalars(select(Document).order_by(Document.id)):
        if document.sha256 in seen or document_store.exists(document.sha256):
            continue
        if document_files.file_of(document) is None:
            seen.add(document.sha256)
            yield Problem(document.sha256, "not stored", _naming(document.sha256))


def orphans() -> list[str]:
    """The stored sha256s no document names: with DOCUMENT_STORE=s3://..., objects written by uploads that were
    rolled back, or whose process died before the commit (the database store deletes its rows in the transaction
    that removes the last document, so it has none)."""
    named = set(db.session.scalars(select(Document.sha256).distinct()))
    return [sha256 for sha256 in document_store.stored() if sha256 not in named]


def _naming(sha256: str) -> list[Document]:
    return db.session.scalars(select(Document).where(Document.sha256 == sha256).order_by(Document.id)).all()
