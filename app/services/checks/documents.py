"""Checks on documents: the category's required kinds, and files another applicant uploaded too."""
from sqlalchemy import select

from app.choices import REQUIRED_DOCUMENTS, DocumentKind, FindingCode, Severity
from app.extensions import db
from app.models import Application, Document
from app.services.checks.base import CheckContext, Draft


def check_documents(ctx: CheckContext):
    application = ctx.application
    present = {d.kind for d in application.documents}
    for kind in REQUIRED_DOCUMENTS.get(application.category, ()):
        if kind not in present:
            yield Draft(FindingCode.DOCUMENT_MISSING, Severity.WARNING,
                        f"The {DocumentKind.LABELS[kind]} this category needs is missing; upload it if asked.")
    hashes = {d.sha256: d for d in application.documents}
    if not hashes:
        return
    reused = db.session.execute(
        select(Document.sha256, Document.application_id, Application.applicant_id)
        .join(Application, Application.id == Document.application_id)
        .where(Document.sha256.in_(hashes), Application.applicant_id != application.applicant_id)
    ).all()
    for sha256, other_application, _ in reused:
        yield Draft(FindingCode.DOCUMENT_REUSED, Severity.WARNING,
                    f"'{hashes[sha256].display_name}' is the very same file another applicant uploaded.",
                    data={"application_id": other_application, "sha256": sha256})
