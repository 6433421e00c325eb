"""Sending a stored document, to a page or to a script: never sniffed or cached, inline only in a sandbox.

Shared by the web pages and the API (both sit above it; see the layer rule in the README).
"""
from pathlib import Path

from flask import send_file

from app.models import Document
from app.services.documents import download_name


def send_document(document: Document, path: Path, inline: bool = False):
    """As a download, or `inline` for a reviewer's preview: then `Content-Security-Policy: sandbox`
    keeps any script or form inside a hostile PDF from running with the portal's origin."""
    response = send_file(path, mimetype=document.content_type, as_attachment=not inline,
                         download_name=download_name(document), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        # Framed by the portal's own review page only: the default DENY would blank the preview.
        response.headers["Content-Security-Policy"] = "sandbox; frame-ancestors 'self'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
