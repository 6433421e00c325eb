"""Checks on documents: the category's required kinds, and files another applicant uploaded too."""
from app.choices import REQUIRED_DOCUMENTS, DocumentKind, FindingCode, Severity, SponsorState
from app.i18n import Phrase
from app.models import Application
from app.services.validation.checks.base import CheckContext, Draft

# One sentence per kind (to the applicant, to the reviewer): the kind's name is part of the sentence, which a
# language other than English words around it (Urdu's "NTN سرٹیفکیٹ" takes its own postpositions).
MISSING = {
    DocumentKind.NTN_CERTIFICATE: (
        Phrase("The NTN certificate this category needs is missing; upload it before submitting."),
        Phrase("The NTN certificate this category needs is missing.")),
    DocumentKind.CNIC_FRONT: (
        Phrase("The CNIC (front) this category needs is missing; upload it before submitting."),
        Phrase("The CNIC (front) this category needs is missing.")),
    DocumentKind.CNIC_BACK: (
        Phrase("The CNIC (back) this category needs is missing; upload it before submitting."),
        Phrase("The CNIC (back) this category needs is missing.")),
    DocumentKind.INCORPORATION_LETTER: (
        Phrase("The Incorporation letter this category needs is missing; upload it before submitting."),
        Phrase("The Incorporation letter this category needs is missing.")),
    DocumentKind.CLIENT_CONTRACT: (
        Phrase("The Client contract this category needs is missing; upload it before submitting."),
        Phrase("The Client contract this category needs is missing.")),
    DocumentKind.EMPLOYER_LETTER: (
        Phrase("The Employer letter this category needs is missing; upload it before submitting."),
        Phrase("The Employer letter this category needs is missing.")),
    DocumentKind.OTHER: (
        Phrase("The Other this category needs is missing; upload it before submitting."),
        Phrase("The Other this category needs is missing.")),
}


def required_documents(application: Application) -> tuple[str, ...]:
    """What the application's category needs. A sponsored application (a member who accepted a sponsor's
    invitation) has its sponsor's attestation for the employer letter while the sponsor stands approved; once the
    sponsor is suspended, the member needs the letter of their own."""
    kinds = tuple(k for k in REQUIRED_DOCUMENTS.get(application.category, ()) if k != DocumentKind.EMPLOYER_LETTER
                  or application.sponsor_id is None)
    if application.sponsor_id is not None and application.sponsor.state != SponsorState.APPROVED:
        kinds += (DocumentKind.EMPLOYER_LETTER,)
    return kinds


def missing_documents(application: Application) -> list[str]:
    """The kinds the application needs (required_documents) that it has no document of, in the category's order."""
    present = {d.kind for d in application.documents}
    return [kind for kind in required_documents(application) if kind not in present]


def check_required_documents(ctx: CheckContext):
    for kind in missing_documents(ctx.application):
        message, reviewer_message = MISSING[kind]
        yield Draft(FindingCode.DOCUMENT_MISSING, Severity.WARNING, message, reviewer_message=reviewer_message)


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
        name = hashes[sha256].display_name
        message = Phrase("'%(file)s' is the very same file another applicant uploaded.", file=name) if (
            len(applications) == 1) else Phrase("'%(file)s' is the very same file another applicant uploaded (on "
                                                "%(num)s of their applications).", file=name,
                                                num=f"{len(applications):,}")
        yield Draft(FindingCode.DOCUMENT_REUSED, Severity.WARNING, message,
                    data={"application_id": applications[0], "application_ids": applications, "sha256": sha256})
