"""Supporting documents: type checked by content, size capped, stored privately under a random name."""
import hashlib
import re
import secrets
import unicodedata
from pathlib import Path

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage

from app import audit
from app.choices import DocumentKind
from app.extensions import db
from app.models import Application, Document
from app.services import NotAllowed, ServiceError
from app.services.applications import EDITABLE_STATES

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


class UnsupportedType(ServiceError):
    status = 415
    code = "unsupported_media_type"


def storage_dir() -> Path:
    path = Path(current_app.config["INSTANCE_DIR"]) / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def display_name(filename: str | None) -> str:
    """The uploaded name as harmless display text: no path, no control characters, bounded length."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:200] or "document"


def _read_capped(upload: FileStorage, cap: int) -> bytes:
    content = upload.stream.read(cap + 1)
    if len(content) > cap:
        raise TooLarge(f"{display_name(upload.filename)!r} is larger than {cap // (1024 * 1024)} MB; "
                       "upload a smaller scan (200 dpi is plenty) or a compressed PDF.", field="file")
    return content


def store_document(application: Application, kind: str, upload: FileStorage | None) -> Document:
    """Check and store an upload. On any refusal nothing is written and the application is unchanged."""
    if application.state not in EDITABLE_STATES:
        raise NotAllowed(f"Documents can be added while the application is a draft or needs information; "
                         f"application {application.id} is {application.state.replace('_', ' ')}.")
    if kind not in DocumentKind.ALL:
        raise ServiceError(f"Document kind {kind!r} is unknown; choose one of {', '.join(DocumentKind.ALL)}.",
                           field="kind")
    if upload is None or not upload.filename:
        raise ServiceError("Choose a file to upload (PDF, PNG or JPEG).", field="file")
    content = _read_capped(upload, current_app.config["MAX_DOCUMENT_BYTES"])
    if not content:
        raise ServiceError(f"{display_name(upload.filename)!r} is empty; choose the scanned document.", field="file")
    guessed = filetype.guess(content)
    mime = guessed.mime if guessed else None
    if mime not in ALLOWED_TYPES:
        raise UnsupportedType(f"{display_name(upload.filename)!r} is not a PDF, PNG or JPEG file "
                              f"(its content looks like {mime or 'something else'}); save or scan it as PDF, PNG or JPEG.",
                              field="file")
    stored_name = secrets.token_hex(16) + ALLOWED_TYPES[mime]
    (storage_dir() / stored_name).write_bytes(content)
    document = Document(application=application, kind=kind, display_name=display_name(upload.filename),
                        stored_name=stored_name, content_type=mime, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), uploaded_by_id=application.applicant_id)
    db.session.add(document)
    db.session.flush()
    audit.record("document.uploaded", ("application", application.id), document_id=document.id, kind=kind,
                 name=document.display_name, sha256=document.sha256, size=document.size)
    return document


def document_path(document: Document) -> Path:
    audit.record("document.downloaded", ("application", document.application_id), document_id=document.id,
                 kind=document.kind)
    return storage_dir() / document.stored_name
