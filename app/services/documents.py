"""Supporting documents: type checked by content, size capped, their bytes kept in the document store.

Documents change only while the applicant may change the application (reopening.make_changeable: a
ready or flagged one not in a batch goes back to draft). Identity papers (NTN certificate, CNIC) are
the applicant's, not one application's: the newest of each kind is carried onto each new application
and renewal (a new document naming the same stored bytes), and the applicant replaces it there.
"""
import re
import unicodedata
from collections.abc import Iterator

import filetype
from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app import audit
from app.choices import DocumentKind
from app.extensions import db
from app.i18n import _
from app.models import Application, Document, User
from app.services import ServiceError, Unavailable, document_files, document_store, file_kinds, pdf_scripts
from app.services.review.reopening import check_changeable, make_changeable
from app.services.validation.prechecks import run_prechecks

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg", ".jpe")}
MAX_DISPLAY_NAME = 200  # characters of an uploaded file's name kept for display, in messages and in lists


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


class UnsupportedType(ServiceError):
    status = 415
    code = "unsupported_media_type"


class Lost(ServiceError):
    status = 404
    code = "not_found"


def _unreachable(exc: Exception, message: str) -> Unavailable:
    """The store's outage as the user sees it (a 503 to retry); what failed, with the endpoint, only in the log."""
    current_app.logger.warning("document store unreachable: %s", exc)
    return Unavailable(message, retry_after=60)


def display_name(filename: str | None) -> str:
    """The uploaded name as harmless display text: no path, no control characters, bounded length."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:MAX_DISPLAY_NAME] or "document"


def too_large(filename: str | None, cap: int) -> TooLarge:
    """The refusal of a file over `cap` bytes, naming it and the limit: from here, and from the upload page
    when the request was too large to read at all (web.applicant.oversized)."""
    return TooLarge(_("%(file)s is larger than %(size)s MB; upload a smaller scan (200 dpi is plenty) or a "
                      "compressed PDF.", file=repr(display_name(filename)), size=cap // (1024 * 1024)), field="file")


def _read_capped(upload: FileStorage, cap: int) -> bytes:
    content = upload.stream.read(cap + 1)
    if len(content) > cap:
        raise too_large(upload.filename, cap)
    return content


def checked_upload(upload: FileStorage | None) -> tuple[bytes, str]:
    """The bytes of an uploaded document and their type, once checked: present, within MAX_DOCUMENT_BYTES, a PDF,
    PNG or JPEG by content, and a PDF without active content. Refuses (nothing stored) with a message naming the
    file. Applications' documents and sponsors' papers (services.sponsors.papers) take the same files."""
    if upload is None or not upload.filename:
        raise ServiceError(_("Choose a file to upload (PDF, PNG or JPEG)."), field="file")
    content = _read_capped(upload, current_app.config["MAX_DOCUMENT_BYTES"])
    if not content:
        raise ServiceError(_("%(file)s is empty; choose the scanned document.",
                             file=repr(display_name(upload.filename))), field="file")
    guessed = filetype.guess(content)
    mime = guessed.mime if guessed else None
    if mime not in ALLOWED_TYPES:
        name, advice = repr(display_name(upload.filename)), file_kinds.advice(mime)
        message = (_("%(file)s is %(kind)s, not a PDF, PNG or JPEG file. %(advice)s", file=name,
                     kind=file_kinds.describe(mime), advice=advice) if mime
                   else _("%(file)s is not a PDF, PNG or JPEG file (nor any kind of file we recognise). %(advice)s",
                          file=name, advice=advice))
        raise UnsupportedType(message, field="file", details={"detected": mime})
    if mime == "application/pdf" and (script := pdf_scripts.active_content(content)):
        raise UnsupportedType(_("%(file)s is a PDF that carries %(script)s, which documents here may not. Print it "
                                "to a new PDF (Print › Save as PDF) and upload that.",
                                file=repr(display_name(upload.filename)), script=pdf_scripts.in_words(script)),
                              field="file", details={"detected": mime, "active_content": script})
    return content, mime


def store_document(application: Application, kind: str, upload: FileStorage | None) -> Document:
    """Check and store an upload. On any refusal nothing is written and the application is unchanged."""
    check_changeable(application)
    if kind not in DocumentKind.ALL:
        raise ServiceError(_("Document kind %(kind)s is unknown; choose one of %(kinds)s.", kind=repr(kind),
                             kinds=", ".join(DocumentKind.ALL)), field="kind")
    content, mime = checked_upload(upload)
    make_changeable(application)  # only now: a refused file leaves a ready or flagged application as it was
    # An application holds one NTN certificate and one of each CNIC side: a new one replaces the old (often
    # the copy carried over from an earlier application), so reviewers never weigh two versions.
    replaced = [d for d in application.documents if d.kind == kind and kind in DocumentKind.IDENTITY]
    try:
        sha256 = document_store.put(content)
    except document_store.Unreachable as exc:
        raise _unreachable(exc, _("%(file)s could not be stored: the document store is not answering just now. "
                                  "Nothing changed; upload it again in a minute.",
                                  file=repr(display_name(upload.filename)))) from exc
    document = _add(application, kind, display_name(upload.filename), sha256, len(content), mime)
    audit.record("document.uploaded", ("application", application.id), document_id=document.id, kind=kind,
                 name=document.display_name, sha256=document.sha256, size=document.size)
    for old in replaced:
        _detach(application, old, replaced_by=document.id)
    run_prechecks(application)
    return document


def _add(application: Application, kind: str, name: str, sha256: str, size: int, mime: str) -> Document:
    document = Document(application=application, kind=kind, display_name=name, content_type=mime, size=size,
                        sha256=sha256, uploaded_by_id=application.applicant_id)
    db.session.add(document)
    db.session.flush()
    return document


def remove_document(application: Application, document: Document) -> None:
    """Take a document off an application the applicant may still change, and its bytes from the store unless
    another document has the same. The caller commits."""
    if document.application_id != application.id:
        raise ServiceError(_("Document %(document)s is not on application %(id)s.", document=document.id,
                             id=application.id), field="document")
    make_changeable(application)
    _detach(application, document)
    run_prechecks(application)


def _detach(application: Application, document: Document, **data) -> None:
    application.documents.remove(document)  # delete-orphan: the row goes with the flush
    db.session.flush()
    audit.record("document.removed", ("application", application.id), document_id=document.id,
                 kind=document.kind, name=document.display_name, sha256=document.sha256, **data)
    document_store.delete_if_unused(document.sha256)
    document_files.remove_after_commit(document)


def identity_documents(applicant: User) -> list[Document]:
    """The applicant's newest NTN certificate and CNIC sides, from any of their applications."""
    newest: dict[str, Document] = {}
    for document in db.session.scalars(
            select(Document).join(Application, Application.id == Document.application_id)
            .where(Application.applicant_id == applicant.id, Document.kind.in_(DocumentKind.IDENTITY))
            .order_by(Document.uploaded_at.desc(), Document.id.desc())):
        newest.setdefault(document.kind, document)
    return [newest[kind] for kind in DocumentKind.IDENTITY if kind in newest]


def attach_identity_documents(application: Application) -> list[Document]:
    """Carry the applicant's identity papers onto a new application: a document of its own naming the same stored
    bytes, so that removing it here leaves the others alone. The caller commits."""
    copies = []
    for original in identity_documents(application.applicant):
        if original.application_id == application.id:
            continue
        try:
            storable = document_files.store_file(original)
        except document_store.Unreachable as exc:
            raise _unreachable(exc, _("Your identity papers could not be carried over to the new application: the "
                                      "document store is not answering just now. Nothing changed; try again in a "
                                      "minute.")) from exc
        if not storable:
            continue  # bytes lost (or changed on the disk) are not carried over; the applicant uploads them again
        copy = _add(application, original.kind, original.display_name, original.sha256, original.size,
                    original.content_type)
        audit.record("document.carried_over", ("application", application.id), document_id=copy.id,
                     kind=copy.kind, name=copy.display_name, sha256=copy.sha256,
                     from_application=original.application_id)
        copies.append(copy)
    return copies


def record_download(document: Document) -> Iterator[bytes]:
    """Record on the audit trail that the current user fetches the document; its bytes, chunk by chunk, read as
    they are sent. The caller commits (before sending them)."""
    chunks = contents(document)
    audit.record("document.downloaded", ("application", document.application_id), document_id=document.id,
                 kind=document.kind)
    return chunks


def contents(document: Document) -> Iterator[bytes]:
    """The document's bytes from the store, or from its file if `flask documents migrate` has not moved it yet."""
    try:
        return document_store.open(document.sha256)
    except document_store.Unreachable as exc:
        raise _unreachable(exc, _("The file of %(name)s cannot be read just now: the document store is not "
                                  "answering. Try again in a minute.", name=repr(document.display_name))) from exc
    except document_store.Missing:
        path = document_files.file_of(document)
        if path is None:
            raise Lost(_("The file of %(name)s is missing from the document store; ask the applicant to upload it "
                         "again.", name=repr(document.display_name)), details={"document": document.id}) from None
        return document_files.read_chunks(path)


def download_name(document: Document) -> str:
    """The uploaded name with the extension of what the file really is: `poly.html` that is a PDF is `poly.pdf`,
    so that no browser or desktop opens it as something else."""
    extension = ALLOWED_TYPES.get(document.content_type, "")
    stem, dot, typed = document.display_name.rpartition(".")
    if dot and stem and f".{typed.lower()}" in EXTENSIONS.get(document.content_type, ()):
        return document.display_name
    return f"{stem if dot and stem else document.display_name}{extension}"
