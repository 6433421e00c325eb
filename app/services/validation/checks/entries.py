"""Checks on the address entries: the address engine, duplicates, and the national register."""
from app.addresses import AddressRange, classify
from app.choices import FindingCode, Severity, State
from app.i18n import Phrase
from app.services.validation.checks.base import CheckContext, Draft

PROGRESS_EVERY = 250


def _range(entry) -> AddressRange:
    return AddressRange(entry.version, entry.start, entry.end)


def check_address_space(ctx: CheckContext):
    entries = ctx.application.entries
    for number, entry in enumerate(entries, 1):
        for found in classify(_range(entry), max_prefix_v4=ctx.max_prefix_v4, max_prefix_v6=ctx.max_prefix_v6,
                              geo=ctx.geo):
            yield Draft(found.code, found.severity, found.phrase, entry_id=entry.id,
                        reviewer_message=found.reviewer_phrase)
        if number % PROGRESS_EVERY == 0:
            ctx.progress(number, len(entries))


def check_duplicates(ctx: CheckContext):
    """Entries that overlap an earlier entry of the same application are merged in the whitelist anyway."""
    ordered = sorted(ctx.application.entries, key=lambda e: (e.version, e.start, -e.end))
    reach: dict[int, tuple] = {}  # per version: the entry reaching furthest so far
    for entry in ordered:
        previous = reach.get(entry.version)
        if previous is not None and entry.start <= previous.end:
            yield Draft(FindingCode.DUPLICATE_ENTRY, Severity.INFO,
                        Phrase("'%(entry)s' overlaps '%(other)s' in this application; the two are merged.",
                               entry=entry.input, other=previous.input),
                        entry_id=entry.id)
        if previous is None or entry.end > previous.end:
            reach[entry.version] = entry


def check_register(ctx: CheckContext):
    application = ctx.application
    for entry in application.entries:
        for other in ctx.register.conflicts(_range(entry)):
            if other.application_id == application.id:
                continue
            if other.state == State.APPROVED and other.applicant_id != application.applicant_id:
                yield Draft(FindingCode.OVERLAP_APPROVED, Severity.ERROR,
                            Phrase("'%(entry)s' cannot be whitelisted for you as it stands: part of it is not "
                                   "available. Remove it, or explain to the reviewer (with your ISP's allocation "
                                   "letter) why it is yours.", entry=entry.input),
                            entry_id=entry.id, data={"application_id": other.application_id},
                            reviewer_message=Phrase("'%(entry)s' overlaps space approved for another applicant "
                                                    "(application %(id)s): it cannot be approved unless the "
                                                    "applicant shows it is theirs, e.g. with their ISP's "
                                                    "allocation letter.", entry=entry.input, id=other.application_id))
            elif other.state == State.APPROVED:
                yield Draft(FindingCode.OVERLAP_OWN, Severity.INFO,
                            Phrase("'%(entry)s' overlaps your approved application %(id)s (a renewal or an "
                                   "extension).", entry=entry.input, id=other.application_id),
                            entry_id=entry.id, data={"application_id": other.application_id},
                            reviewer_message=Phrase("'%(entry)s' overlaps the applicant's own approved application "
                                                    "%(id)s (a renewal or an extension).",
                                                    entry=entry.input, id=other.application_id))
            else:
                yield Draft(FindingCode.OVERLAP_PENDING, Severity.WARNING,
                            Phrase("'%(entry)s' overlaps another application that is also waiting for review; the "
                                   "reviewer decides.", entry=entry.input),
                            entry_id=entry.id, data={"application_id": other.application_id})
                ctx.cross_findings.append((other.application_id, Draft(
                    FindingCode.OVERLAP_PENDING, Severity.WARNING,
                    Phrase("Application %(id)s (also waiting for review) overlaps this application's space with "
                           "'%(entry)s'; the reviewer decides.", id=application.id, entry=entry.input),
                    data={"application_id": application.id})))
