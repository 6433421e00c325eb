"""Checks on documents: the category's required kinds, and files another applicant uploaded too."""
from app.choices import REQUIRED_DOCUMENTS, DocumentKind, FindingCode, Severity
from app.models import Application
from app.services.validation.checks.base import CheckContext, Draft
from app.system.plurals import counted


def missing_documents(application: Application) -> list[str]:
    """The kinds the application's category needs that it has no document of, in the category's order."""
    present = {d.kind for d in application.documents}
    return [kind for kind in REQUIRED_DOCUMENTS.get(application.category, ()) if kind not in present]


def check_required_documents(ctx: CheckContext):
    for kind in missing_documents(ctx.application):
        yield Draft(FindingCode.DOCUMENT_MISSING, Severity.WARNING,
                    f"The {DocumentKind.LABELS[kind]} this category needs is missing; upload it before submitting.",
                    reviewer_message=f"The {DocumentKind.LABELS[kind]} this category needs is missing.")


def check_reused_documents(ctx: CheckContext):
    application = ctx.application
    hashes = {d.sha256: d for d in application.documents}
    if not hashes:
        return
    # One warning per file: identity papers are copied onto each new application, so one file of another
    # applicant's can sit on several of theirs.
    others: dict[str, list[int]] = {}
    for sha256, other_application, _ in ctx.lookups.documents_of_others(application, hashes):
        others.setdefault(sha256, [])
        if other_application not in others[sha256]:
            others[sha256].append(other_application)
    for sha256, applications in others.items():
        where = f" (on {counted(len(applications), 'of their application', 'of their applications')})" if (
            len(applications) > 1) else ""
        yield Draft(FindingCode.DOCUMENT_REUSED, Severity.WARNING,
                    f"'{hashes[sha256].display_name}' is the very same file another applicant uploaded{where}.",
                    data={"application_id": applications[0], "application_ids": applications, "sha256": sha256})
