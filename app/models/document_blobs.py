"""Document bytes in the database (the default document store): one blob per sha256, in fixed-size chunks so a
download reads one chunk at a time. Documents name their blob by sha256 (app.services.document_store)."""
from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class DocumentBlob(db.Model):
    """The bytes of one or more documents with the same content, stored once."""

    __tablename__ = "document_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)


class DocumentChunk(db.Model):
    """Piece `seq` (from 0) of a blob; every piece but the last is document_store.CHUNK_BYTES long."""

    __tablename__ = "document_chunks"

    sha256: Mapped[str] = mapped_column(ForeignKey("document_blobs.sha256"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
