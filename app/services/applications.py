"""Applications from draft to submission: create, edit, submit, withdraw or delete, renew."""
from dataclasses import replace

from sqlalchemy import select

from app import audit
from app.addresses import AddressRange
from app.choices import Category, DocumentKind, Role, State, SubscriptionKind
from app.extensions import db
from app.i18n import _, _l, ngettext
from app.models import AddressEntry, Application, Endpoint, Subscription, User
from app.services import Conflict, ServiceError, document_files, document_store
from app.services.applicant_notes import note_problem, notes_to_keep
from app.services.application_input import (
    ENTRY_INPUT_LENGTH,
    MAX_ENTRIES,
    ApplicationInput,
    purpose_problem,
    too_many_entries,
)
from app.services.documents import attach_identity_documents
from app.services.endpoints import EndpointInput
from app.services.fees.charges import cancel_unpaid, charge_on_submit
from app.services.isp_confirmations import ask_on_submission
from app.services.national_register import announce, register_class
from app.services.pakistani_numbers import mobile_national
from app.services.review.decisions import lock_application
from app.services.review.reopening import check_changeable, make_changeable
from app.services.subscriptions.inputs import SubscriptionInput
from app.services.transitions import move
from app.services.validation.checks.documents import missing_documents
from app.services.validation.prechecks import run_prechecks
from app.services.validation.queue import enqueue_one

MAX_REPLY = 2000          # characters of an answer to a reviewer's request for more information
EDITABLE_STATES = State.EDITABLE
NOTHING_TO_WHITELIST = _l("Add at least one IP address or range, a VPN endpoint, or a subscription (your mobile "
                          "number or broadband account, for a connection whose address changes).")


def _state(application: Application) -> str:
    """The application's state as a sentence says it ("needs more information"), in the current language."""
    return str(State.LABELS[application.state]).lower()


def _check_purpose(data: ApplicationInput) -> None:
    if problem := purpose_problem(data.purpose):
        raise ServiceError(problem, field="purpose")


def _check_size(data: ApplicationInput, application: Application | None = None) -> None:
    subscriptions = data.subscriptions if data.subscriptions is not None else (
        application.subscriptions if application is not None else [])
    if not data.entries and not data.endpoints and not subscriptions:
        raise ServiceError(str(NOTHING_TO_WHITELIST), field="entries")
    if len(data.entries) > MAX_ENTRIES:
        raise ServiceError(too_many_entries(len(data.entries)), field="entries")


def _check_notes(data: ApplicationInput) -> None:
    if problem := note_problem(data.note):
        raise ServiceError(problem, field="note")
    for entry, note in (data.entry_notes or {}).items():
        if problem := note_problem(note, entry=entry):
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
    if data.subscriptions is not None:
        _fill_subscriptions(application, data.subscriptions)


def _fill_subscriptions(application: Application, wanted: list[SubscriptionInput]) -> None:
    """The application's subscriptions become `wanted`. One it already holds keeps its row, so its proof by SMS
    code and the operator's answer about it stay; the others are made new, unproven."""
    held = {(s.kind, s.organisation_id, s.identifier): s for s in application.subscriptions}
    kept = []
    for position, item in enumerate(wanted):
        subscription = held.pop((item.kind, item.organisation_id, item.identifier), None) or Subscription(
            kind=item.kind, organisation_id=item.organisation_id, identifier=item.identifier)
        subscription.position = position
        kept.append(subscription)
    application.subscriptions = kept


def _summary(purpose: str, category: str | None, entries: list[str], endpoints: list, note: str | None,
             entry_notes: dict[str, str], subscriptions: list[str]) -> dict:
    """What the trail keeps of an application's content; equal summaries mean nothing changed."""
    return {"purpose": purpose, "category": category, "entries": entries,
            "endpoints": [f"{e.protocol} {e.host}:{e.port or ''}" + (f" peer {e.peer}" if e.peer else "")
                          for e in endpoints],
            "note": note, "entry_notes": entry_notes, "subscriptions": subscriptions}


def _subscription_text(kind: str, operator: str, identifier: str) -> str:
    return f"{kind} {identifier} ({operator})"


def _summary_of(application: Application) -> dict:
    return _summary(application.purpose, application.category, [e.input for e in application.entries],
                    application.endpoints, application.applicant_note,
                    {e.input: e.note for e in application.entries if e.note},
                    [_subscription_text(s.kind, s.organisation.name, s.identifier) for s in application.subscriptions])


def _summary_of_input(data: ApplicationInput, application: Application | None = None) -> dict:
    """`data`, its notes spelt out (_with_notes); subscriptions left out of it are the application's own."""
    subscriptions = ([_subscription_text(s.kind, s.operator, s.identifier) for s in data.subscriptions]
                     if data.subscriptions is not None else _summary_of(application)["subscriptions"]
                     if application is not None else [])
    return _summary(data.purpose, data.category, _inputs(data), data.endpoints, data.note, data.entry_notes,
                    subscriptions)


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
    _check_size(data, application)
    _check_notes(data)
    data = _with_notes(application, data)
    before, after = _summary_of(application), _summary_of_input(data, application)
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
        raise Conflict(_("Application %(id)s is %(state)s; only a draft or one that needs more information can be "
                         "submitted.", id=application.id, state=_state(application)),
                       details={"state": application.state})
    reply = _reply(application, reply)
    if application.applicant.profile is None:
        raise ServiceError(_("Complete your profile (who you are, NTN or CNIC, your ISP) before submitting."),
                           field="profile")
    if not application.entries and not application.endpoints and not application.subscriptions:
        raise ServiceError(str(NOTHING_TO_WHITELIST), field="entries")
    _check_connection_named(application)
    missing = missing_documents(application)
    if missing:
        names = str(DocumentKind.LABELS[missing[0]])
        for kind in missing[1:]:
            names = _("%(first)s and the %(next)s", first=names, next=DocumentKind.LABELS[kind])
        raise ServiceError(_("Upload the %(documents)s that a %(category)s application needs, then submit.",
                             documents=names, category=Category.LABELS[application.category]),
                           field="documents", details={"missing": missing})
    move(application, State.VALIDATING, resubmission=application.state == State.NEEDS_INFO,
         **({"reply": reply} if reply else {}))
    ask_on_submission(application)  # the applicant's ISP on Raasta confirms the subscriber id
    charge_on_submit(application)  # a category with a fee: the payment reference, sent to the applicant
    enqueue_one(application)


def _check_connection_named(application: Application) -> None:
    """Address entries are confirmed by the ISP the profile names; a mobile number is proven by its SMS code."""
    profile = application.applicant.profile
    if application.entries and not (profile.isp_name and profile.isp_subscriber_id):
        raise ServiceError(_("Address entries are confirmed by the ISP of that connection: name your ISP and the "
                             "subscriber id it gave you in your profile, or register your connection as a "
                             "subscription (mobile number or broadband account) instead."), field="profile")
    unproven = [s for s in application.subscriptions if s.kind == SubscriptionKind.MOBILE and not s.verified]
    if unproven:
        numbers = ", ".join(mobile_national(s.identifier) for s in unproven)
        raise ServiceError(_("Prove %(numbers)s with the code we send it by SMS before submitting: only the "
                             "holder of a number may register it.", numbers=numbers), field="subscriptions",
                           details={"unverified": [{"id": s.id, "identifier": s.identifier} for s in unproven]})


def _reply(application: Application, reply) -> str | None:
    if reply is not None and not isinstance(reply, str):
        raise ServiceError(_("reply must be text: write your answer to the reviewer as a string."), field="reply")
    reply = (reply or "").strip() or None
    if reply and application.state != State.NEEDS_INFO:
        raise ServiceError(_("No reviewer has asked this application for more information, so there is nothing to "
                             "answer: submit it without a reply."), field="reply")
    if reply and len(reply) > MAX_REPLY:
        raise ServiceError(ngettext("Your answer is %(num)s character; keep it under %(max)s.",
                                    "Your answer is %(num)s characters; keep it under %(max)s.", len(reply),
                                    max=f"{MAX_REPLY:,}"), field="reply")
    return reply


def withdraw(application: Application) -> None:
    move(application, State.WITHDRAWN)
    cancel_unpaid(application, "application withdrawn")


def deletable(application: Application) -> bool:
    """A draft nobody but its applicant has seen: never submitted, so no reviewer, ISP or batch refers to it.
    A draft that was submitted before (and reopened) is withdrawn instead, keeping its history."""
    return application.state == State.DRAFT and application.submitted_at is None


def delete_draft(application: Application) -> None:
    """Delete a never-submitted draft with its entries, endpoints, findings and documents, and their bytes from
    the store unless other documents have the same. The trail keeps what it held. The caller commits."""
    lock_application(application)
    if not deletable(application):
        raise Conflict(_("Application %(id)s is %(state)s and has been submitted before; withdraw it instead.",
                         id=application.id, state=_state(application)), details={"state": application.state})
    documents = list(application.documents)
    audit.record("application.deleted", application, before=_summary_of(application),
                 documents=[{"kind": d.kind, "name": d.display_name, "sha256": d.sha256}
                            for d in application.documents])
    db.session.delete(application)
    db.session.flush()
    for document in documents:
        document_store.delete_if_unused(document.sha256)
        document_files.remove_after_commit(document)


def renewable(application: Application) -> bool:
    return application.state in (State.APPROVED, State.EXPIRED)


def renew(application: Application) -> Application:
    """A new draft prefilled from an approved (or expired) application."""
    if not renewable(application):
        raise Conflict(_("Application %(id)s is %(state)s; only an approved or expired application can be renewed.",
                         id=application.id, state=_state(application)), details={"state": application.state})
    data = ApplicationInput(
        application.purpose, application.category,
        [(e.input, AddressRange(e.version, e.start, e.end)) for e in application.entries],
        [EndpointInput(e.host, e.protocol, e.port, e.peer) for e in application.endpoints],
        note=application.applicant_note or "", entry_notes={e.input: e.note for e in application.entries if e.note},
        # Proven again: a year on, the number may have another holder.
        subscriptions=[SubscriptionInput(s.kind, s.organisation_id, s.organisation.name, s.identifier)
                       for s in application.subscriptions],
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
