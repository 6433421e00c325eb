"""Serving a stored document: always as a download, never sniffed or cached by the browser."""
from pathlib import Path

from flask import send_file

from app.models import Document


def send_document(document: Document, path: Path):
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.display_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
