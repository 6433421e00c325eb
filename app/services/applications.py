"""Applications from draft to submission: create, edit, submit, withdraw or delete, renew."""
from dataclasses import dataclass, field, replace

from sqlalchemy import select

from app import audit
from app.addresses import AddressRange, EntryError, parse_entry
from app.after_commit import call_after_commit
from app.choices import Category, DocumentKind, Role, State
from app.extensions import db
from app.models import AddressEntry, Application, Endpoint, User
from app.services import Conflict, ServiceError
from app.services.applicant_notes import note_problem, notes_to_keep
from app.services.documents import attach_identity_documents, storage_dir
from app.services.endpoints import EndpointInput, parse_endpoints
from app.services.isp_confirmations import ask_on_submission
from app.services.national_register import announce, register_class
from app.services.review.decisions import lock_application
from app.services.review.reopening import check_changeable, make_changeable
from app.services.transitions import move
from app.services.validation.checks.documents import missing_documents
from app.services.validation.prechecks import run_prechecks
from app.services.validation.queue import enqueue_one
from app.system.plurals import counted, plural

MAX_ENTRIES = 5000
MAX_ENDPOINTS = 50
MIN_PURPOSE = 10          # characters after trimming: a sentence a reviewer can weigh, not "x" or "VPN"
MAX_PURPOSE = 2000        # characters, as on the web form
MAX_REPLY = 2000          # characters of an answer to a reviewer's request for more information
ERRORS_LISTED = 100       # a 422 names this many bad entries, then says how many more
ENTRY_INPUT_LENGTH = AddressEntry.input.type.length  # what the column keeps of an entry as typed
EDITABLE_STATES = State.EDITABLE


@dataclass
class ApplicationInput:
    purpose: str
    category: str | None
    entries: list[tuple[str, AddressRange]]  # (what the applicant typed, its parsed range)
    endpoints: list[EndpointInput] = field(default_factory=list)
    note: str | None = None                  # to the reviewer; None keeps the one the application has
    entry_notes: dict[str, str] | None = None  # entry as typed -> its note; an entry not named keeps its own


ENTRY_OBJECT_FIELDS = ("input", "note")


def parse_entries(raw_entries: list) -> tuple[list[tuple[str, AddressRange]], list[dict], dict[str, str]]:
    """Parse each entry, a string or {"input", "note"?}; returns the parsed ones, for every bad one its
    index, input and message, and the notes given (entry as typed -> note)."""
    parsed, errors, notes = [], [], {}
    for index, item in enumerate(raw_entries):
        raw, problem = item, None
        if isinstance(item, dict):
            raw = item.get("input")
            unknown = sorted(set(item) - set(ENTRY_OBJECT_FIELDS))
            named = f"{plural('field', len(unknown))} {', '.join(map(repr, unknown))}"
            problem = (f"Entry {index + 1} has unknown {named}; an entry object takes input and note." if unknown
                       else note_problem(item.get("note"), f"The note on entry {index + 1}"))
        if problem is None and not isinstance(raw, str):
            problem = (f"Entry {index + 1} is {type(item).__name__}; send each entry as a string, or as "
                       '{"input": "39.32.12.0/24", "note": "..."}.')
        if problem:
            errors.append({"index": index, "input": raw, "code": "syntax.not_text", "message": problem})
            continue
        try:
            parsed.append((raw.strip(), parse_entry(raw)))
        except EntryError as exc:
            errors.append({"index": index, "input": raw, "code": exc.code, "message": str(exc)})
            continue
        if isinstance(item, dict) and "note" in item:
            notes[raw.strip()[:ENTRY_INPUT_LENGTH]] = item["note"] or ""
    return parsed, errors, notes


def _too_many_entries(count: int) -> str:
    return f"{counted(count, 'entry')} is more than {MAX_ENTRIES:,}; split them over several applications."


APPLICATION_FIELDS = ("purpose", "category", "entries", "endpoints", "note")


def purpose_problem(purpose) -> str | None:
    """What is wrong with a purpose as sent (the web form and the API say the same), or None."""
    if not isinstance(purpose, str) or not purpose.strip():
        return "Say in a sentence what the whitelisting is for, e.g. 'VPN to our client in Germany'."
    if len(purpose.strip()) < MIN_PURPOSE:
        return (f"'{purpose.strip()}' is too short to tell a reviewer what the whitelisting is for: write a sentence "
                f"of at least {MIN_PURPOSE} characters, e.g. 'VPN to our client in Germany'.")
    if len(purpose) > MAX_PURPOSE:
        return f"The purpose is {counted(len(purpose), 'character')}; keep it under {MAX_PURPOSE:,}."
    return None


def parse_application(body: dict) -> ApplicationInput:
    """An ApplicationInput from the API's JSON; every problem reported at once, as 422 details."""
    problems: dict = {name: f"Unknown field {name!r}; an application takes {', '.join(APPLICATION_FIELDS)}."
                      for name in sorted(set(body) - set(APPLICATION_FIELDS))}
    purpose = body.get("purpose")
    if problem := purpose_problem(purpose):
        problems["purpose"] = problem
    category = body.get("category")
    if category is not None and category not in Category.ALL:
        problems["category"] = f"Category {category!r} is unknown; choose one of {', '.join(Category.ALL)}."
    raw_entries = body.get("entries", [])
    if not isinstance(raw_entries, list):
        problems["entries"] = "Send 'entries' as a list of strings: addresses, CIDRs or ranges a-b."
        raw_entries = []
    elif len(raw_entries) > MAX_ENTRIES:  # refused before parsing: 100,000 entries would take seconds
        problems["entries"] = _too_many_entries(len(raw_entries))
        raw_entries = []
    entries, entry_errors, entry_notes = parse_entries(raw_entries)
    if problem := note_problem(body.get("note")):
        problems["note"] = problem
    if entry_errors:
        problems["entries"] = entry_errors[:ERRORS_LISTED]
        if len(entry_errors) > ERRORS_LISTED:
            more = len(entry_errors) - ERRORS_LISTED
            problems["entries"].append({"more": more,
                                        "message": f"…and {counted(more, 'more bad entry', 'more bad entries')}."})
    raw_endpoints = body.get("endpoints", [])
    endpoints = []
    if not isinstance(raw_endpoints, list) or not all(isinstance(e, dict) for e in raw_endpoints):
        problems["endpoints"] = "Send 'endpoints' as a list of objects with host, protocol, port and peer."
    elif len(raw_endpoints) > MAX_ENDPOINTS:
        problems["endpoints"] = (f"{counted(len(raw_endpoints), 'endpoint')} is more than {MAX_ENDPOINTS}; "
                                 f"list at most {MAX_ENDPOINTS}.")
    else:
        endpoints, bad_endpoints = parse_endpoints(raw_endpoints)
        if bad_endpoints:
            problems["endpoints"] = [{"index": i, "errors": errors} for i, errors in bad_endpoints.items()]
    if problems:
        bad = [e["input"] for e in entry_errors[:ERRORS_LISTED]]
        message = ("Unparseable entries: " + ", ".join(repr(b) for b in bad) + "." if bad
                   else f"The application has fields to correct: {', '.join(problems)}.")
        raise ServiceError(message, details=problems)
    return ApplicationInput(purpose.strip(), category, entries, endpoints,
                            note=(body["note"] or "") if "note" in body else None, entry_notes=entry_notes)


def _check_purpose(data: ApplicationInput) -> None:
    if problem := purpose_problem(data.purpose):
        raise ServiceError(problem, field="purpose")


def _check_size(data: ApplicationInput) -> None:
    if not data.entries and not data.endpoints:
        raise ServiceError("Add at least one IP address, range or VPN endpoint.", field="entries")
    if len(data.entries) > MAX_ENTRIES:
        raise ServiceError(_too_many_entries(len(data.entries)), field="entries")


def _check_notes(data: ApplicationInput) -> None:
    if problem := note_problem(data.note):
        raise ServiceError(problem, field="note")
    for entry, note in (data.entry_notes or {}).items():
        if problem := note_problem(note, f"The note on {entry}"):
            raise ServiceError(problem, field="entry_notes")


def _inputs(data: ApplicationInput) -> list[str]:
    return [raw[:ENTRY_INPUT_LENGTH] for raw, _ in data.entries]


def _with_notes(application: Application | None, data: ApplicationInput) -> ApplicationInput:
    """`data` with every note it will hold spelt out: the ones given, and the ones kept."""
    note, entry_notes = notes_to_keep(application, data.note, data.entry_notes, _inputs(data))
    return replace(data, note=note, entry_notes=entry_notes)


def _fill(application: Application, data: ApplicationInput) -> None:
    """Give the application `data`, its notes spelt out (_with_notes)."""
    application.findings = []  # they were about the old entries; the next validation makes new ones
    # Findings point at entries without an ORM relationship, so the flush would not know to delete them
    # first: deleted now, before the entries they point at.
    db.session.flush()
    application.purpose = data.purpose
    application.category = data.category
    application.applicant_note = data.note
    application.entries = [
        AddressEntry(position=i, input=raw[:ENTRY_INPUT_LENGTH], version=rng.version, start=rng.start, end=rng.end,
                     cidrs=rng.cidrs, note=data.entry_notes.get(raw[:ENTRY_INPUT_LENGTH]))
        for i, (raw, rng) in enumerate(data.entries)
    ]
    application.endpoints = [
        Endpoint(position=i, host=e.host, protocol=e.protocol, port=e.port, peer=e.peer)
        for i, e in enumerate(data.endpoints)
    ]


def _summary(purpose: str, category: str | None, entries: list[str], endpoints: list, note: str | None,
             entry_notes: dict[str, str]) -> dict:
    """What the trail keeps of an application's content; equal summaries mean nothing changed."""
    return {"purpose": purpose, "category": category, "entries": entries,
            "endpoints": [f"{e.protocol} {e.host}:{e.port or ''}" + (f" peer {e.peer}" if e.peer else "")
                          for e in endpoints],
            "note": note, "entry_notes": entry_notes}


def _summary_of(application: Application) -> dict:
    return _summary(application.purpose, application.category, [e.input for e in application.entries],
                    application.endpoints, application.applicant_note,
                    {e.input: e.note for e in application.entries if e.note})


def _summary_of_input(data: ApplicationInput) -> dict:
    """`data`, its notes spelt out (_with_notes)."""
    return _summary(data.purpose, data.category, _inputs(data), data.endpoints, data.note, data.entry_notes)


def create_application(applicant: User, data: ApplicationInput, renewal_of: Application | None = None,
                       form_key: str | None = None) -> Application:
    """A new draft, with the applicant's identity papers already attached and the queue-free checks run.
    A renewal keeps the approved application's purpose as it was, even one written before purposes had
    to be a sentence; the applicant is asked for one when they next change it. `form_key` names the web
    form that made it (draft_made_by)."""
    if renewal_of is None:
        _check_purpose(data)
    _check_size(data)
    _check_notes(data)
    application = Application(applicant=applicant, state=State.DRAFT, form_key=form_key,
                              renewal_of_id=renewal_of.id if renewal_of else None)
    _fill(application, _with_notes(None, data))
    db.session.add(application)
    db.session.flush()
    audit.record("application.created", application, after=_summary_of(application),
                 renewal_of=renewal_of.id if renewal_of else None)
    attach_identity_documents(application)
    run_prechecks(application)
    return application


def update_application(application: Application, data: ApplicationInput) -> bool:
    """Replace purpose, category, entries and endpoints. A ready or flagged application not in a batch
    goes back to draft first (reopening). Returns False, recording nothing, when nothing changed."""
    check_changeable(application)
    _check_purpose(data)
    _check_size(data)
    _check_notes(data)
    data = _with_notes(application, data)
    before, after = _summary_of(application), _summary_of_input(data)
    if before == after:
        return False
    make_changeable(application)
    _fill(application, data)
    db.session.flush()
    changed = [key for key in after if before[key] != after[key]]
    audit.record("application.edited", application, before={k: before[k] for k in changed},
                 after={k: after[k] for k in changed})
    if register_class(application.state):
        announce(application)  # its pending entries changed under the register
    run_prechecks(application)
    return True


def submit(application: Application, reply: str | None = None) -> None:
    """Send the application for validation on the queue; the caller commits, then the job runs.

    `reply` answers a reviewer's request for more information: it goes into the trail with the
    resubmission, where the reviewer reads it beside their question."""
    if application.state not in EDITABLE_STATES:
        raise Conflict(f"Application {application.id} is {State.LABELS[application.state].lower()}; only a draft "
                       "or one that needs more information can be submitted.", details={"state": application.state})
    reply = _reply(application, reply)
    if application.applicant.profile is None:
        raise ServiceError("Complete your profile (who you are, NTN or CNIC, your ISP) before submitting.",
                           field="profile")
    if not application.entries and not application.endpoints:
        raise ServiceError("Add at least one IP address, range or VPN endpoint before submitting.", field="entries")
    missing = missing_documents(application)
    if missing:
        names = " and the ".join(DocumentKind.LABELS[kind] for kind in missing)
        raise ServiceError(f"Upload the {names} that a {Category.LABELS[application.category]} application needs, "
                           "then submit.", field="documents", details={"missing": missing})
    move(application, State.VALIDATING, resubmission=application.state == State.NEEDS_INFO,
         **({"reply": reply} if reply else {}))
    ask_on_submission(application)  # the applicant's ISP on Raasta confirms the subscriber id
    enqueue_one(application)


def _reply(application: Application, reply) -> str | None:
    if reply is not None and not isinstance(reply, str):
        raise ServiceError("reply must be text: write your answer to the reviewer as a string.", field="reply")
    reply = (reply or "").strip() or None
    if reply and application.state != State.NEEDS_INFO:
        raise ServiceError("No reviewer has asked this application for more information, so there is nothing to "
                           "answer: submit it without a reply.", field="reply")
    if reply and len(reply) > MAX_REPLY:
        raise ServiceError(f"Your answer is {counted(len(reply), 'character')}; keep it under {MAX_REPLY:,}.",
                           field="reply")
    return reply


def withdraw(application: Application) -> None:
    move(application, State.WITHDRAWN)


def deletable(application: Application) -> bool:
    """A draft nobody but its applicant has seen: never submitted, so no reviewer, ISP or batch refers to it.
    A draft that was submitted before (and reopened) is withdrawn instead, keeping its history."""
    return application.state == State.DRAFT and application.submitted_at is None


def delete_draft(application: Application) -> None:
    """Delete a never-submitted draft with its entries, endpoints, findings and documents; the files go
    after the commit. The trail keeps what it held. The caller commits."""
    lock_application(application)
    if not deletable(application):
        raise Conflict(f"Application {application.id} is {State.LABELS[application.state].lower()} and has been "
                       "submitted before; withdraw it instead.", details={"state": application.state})
    files = [storage_dir() / d.stored_name for d in application.documents]
    audit.record("application.deleted", application, before=_summary_of(application),
                 documents=[{"kind": d.kind, "name": d.display_name, "sha256": d.sha256}
                            for d in application.documents])
    db.session.delete(application)
    db.session.flush()
    call_after_commit(lambda: [path.unlink(missing_ok=True) for path in files])


def renewable(application: Application) -> bool:
    return application.state in (State.APPROVED, State.EXPIRED)


def renew(application: Application) -> Application:
    """A new draft prefilled from an approved (or expired) application."""
    if not renewable(application):
        raise Conflict(f"Application {application.id} is {State.LABELS[application.state].lower()}; only an "
                       "approved or expired application can be renewed.", details={"state": application.state})
    data = ApplicationInput(
        application.purpose, application.category,
        [(e.input, AddressRange(e.version, e.start, e.end)) for e in application.entries],
        [EndpointInput(e.host, e.protocol, e.port, e.peer) for e in application.endpoints],
        note=application.applicant_note or "", entry_notes={e.input: e.note for e in application.entries if e.note},
    )
    return create_application(application.applicant, data, renewal_of=application)


def draft_made_by(applicant: User, form_key: str) -> Application | None:
    """The application that the applicant's new-application form with this key made, if any."""
    return db.session.scalar(select(Application).where(Application.applicant_id == applicant.id,
                                                       Application.form_key == form_key))


def visible_application(application_id: int, user: User) -> Application | None:
    """The application if `user` may see it: its applicant, or staff. Anyone else gets None (a 404)."""
    application = db.session.get(Application, application_id)
    if application is None:
        return None
    if user.has_role(*Role.STAFF) or application.applicant_id == user.id:
        return application
    return None


def applications_of(user: User) -> list[Application]:
    return db.session.scalars(
        select(Application).where(Application.applicant_id == user.id).order_by(Application.created_at.desc())
    ).all()
