"""Sending a stored document, to a page or to a script: never sniffed or cached, inline only in a sandbox.

Shared by the web pages and the API (both sit above it; see the layer rule in the README).
"""
import unicodedata
from collections.abc import Iterator
from time import time
from urllib.parse import quote

from flask import Response, request, stream_with_context

from app.models import Document
from app.services.documents import download_name
from app.services.fees.receipts import receipt_filename, receipt_pdf


def send_document(document: Document, chunks: Iterator[bytes], inline: bool = False) -> Response:
    """As a download, or `inline` for a reviewer's preview: then `Content-Security-Policy: sandbox`
    keeps any script or form inside a hostile PDF from running with the portal's origin.

    The bytes stream from the document store as the client reads them, a chunk at a time; the headers are
    those of send_file, with the content's sha256 as the ETag, and ranges and conditional requests answered."""
    response = Response(stream_with_context(chunks), mimetype=document.content_type, direct_passthrough=True)
    response.content_length = document.size
    response.headers.set("Content-Disposition", "inline" if inline else "attachment",
                         **_filename(download_name(document)))
    response.last_modified = document.uploaded_at
    response.set_etag(document.sha256)
    response.expires = int(time())  # already stale, as send_file's max_age=0 makes it
    response = response.make_conditional(request, accept_ranges=True, complete_length=document.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        # Framed by the portal's own review page only: the default DENY would blank the preview.
        response.headers["Content-Security-Policy"] = "sandbox; frame-ancestors 'self'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _filename(name: str) -> dict[str, str]:
    """Content-Disposition's filename parameters as send_file writes them: an ASCII name as it is, any other
    as an ASCII approximation plus the exact name in RFC 5987's filename*."""
    if name.isascii():
        return {"filename": name}
    simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return {"filename": simple, "filename*": f"UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"}


def send_receipt(payment) -> Response:
    """A paid fee's receipt (services.fees.receipts), made now from the payment row, as a download."""
    response = Response(receipt_pdf(payment), mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=receipt_filename(payment))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
