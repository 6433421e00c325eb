"""Invitations: one per member of a clean file, sent by email (and SMS where a mobile number is given); the member
opens the link, signs up or signs in with the invited email, sees what the sponsor proposed in their name,
corrects it and consents; only then is an application made as theirs, naming the sponsor, and submitted. A
member may decline, or withdraw consent later: the sponsor then sees nothing more of them.

A link's token is an HMAC of the invitation's id and email under the portal's secret key: the mail job can write
it again, and the database keeps only its sha256 (a copy of the database alone opens no invitation).
"""
import base64
import hashlib
import hmac
from dataclasses import fields

from flask import current_app
from sqlalchemy import insert, select, update

from app import audit
from app.choices import ApplicantKind, Category, InvitationState, SubscriptionKind
from app.extensions import db
from app.i18n import _
from app.models import Invitation, Sponsor, SponsorImport, User
from app.models.types import utcnow
from app.queues import SEND_INVITATIONS
from app.services import Conflict, NotAllowed, ServiceError, job_outbox
from app.services.application_input import parse_application
from app.services.applications import create_application, submit
from app.services.profiles import ProfileInput, save_profile

INVITATIONS_PER_JOB = 200


def token_for(invitation_id: int, email: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, f"sponsor-invitation:{invitation_id}:{email}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_all(sponsor: Sponsor, kept: SponsorImport, proposals: list[dict], actor: User) -> list[int]:
    """One invitation per proposal, inserted together; the mail queue sends them after the commit."""
    now = utcnow()
    rows = [{"sponsor_id": sponsor.id, "import_id": kept.id, "row": p["row"], "email": p["email"],
             "name": p["name"], "cnic": p["cnic"], "state": InvitationState.INVITED, "created_at": now,
             "token_hash": f"pending-{kept.id}-{p['row']}",  # the real one needs the id: set just below
             "proposal": {k: p.get(k) for k in ("mobile", "operator", "isp", "subscriber_id", "addresses",
                                                "purpose")}}
            for p in proposals]
    ids = list(db.session.scalars(insert(Invitation).returning(Invitation.id), rows))
    emails = dict(zip(ids, (r["email"] for r in rows)))
    db.session.execute(update(Invitation), [{"id": i, "token_hash": token_hash(token_for(i, e))}
                                            for i, e in emails.items()])
    audit.record("sponsor.members_invited", sponsor, actor=actor, import_id=kept.id, invitations=len(ids))
    for first in range(0, len(ids), INVITATIONS_PER_JOB):
        job_outbox.enqueue(SEND_INVITATIONS, ids[first:first + INVITATIONS_PER_JOB],
                           retry=current_app.config["MAIL_RETRY_INTERVALS"] or None, failure_ttl=30 * 24 * 3600)
    return ids


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def check_invitee(invitation: Invitation, user: User) -> None:
    """Only the account of the invited email may answer: the link went to that mailbox."""
    if user.email.lower() != invitation.email.lower():
        raise NotAllowed(_("This invitation was sent to another email address; sign in with the account of that "
                           "address (or sign up with it) to answer it."))


def _move(invitation: Invitation, new_state: str, **values) -> None:
    """Compare-and-set of the invitation's state."""
    previous = invitation.state
    if new_state not in InvitationState.TRANSITIONS[previous]:
        raise Conflict(_("This invitation is %(state)s; it cannot become %(requested)s.",
                         state=str(InvitationState.LABELS[previous]).lower(),
                         requested=str(InvitationState.LABELS[new_state]).lower()))
    changed = db.session.execute(update(Invitation).where(Invitation.id == invitation.id,
                                                          Invitation.state == previous)
                                 .values(state=new_state, answered_at=utcnow(), **values)
                                 .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise Conflict(_("This invitation changed while this was being done; reload it and try again."))
    db.session.refresh(invitation)


def accept(invitation: Invitation, member: User, corrected: dict) -> tuple[Invitation, str | None]:
    """The member consents to what `corrected` says (the proposal as they corrected it: name, cnic, city, purpose,
    mobile, operator, isp, subscriber_id, addresses): their profile and an application naming the sponsor are made,
    and submitted. Returns the invitation and, when the application could not be submitted yet (a mobile number to
    prove by SMS, a document to upload), why: it waits as their draft. The caller commits."""
    check_invitee(invitation, member)
    if invitation.state != InvitationState.INVITED:
        raise Conflict(_("This invitation is %(state)s already.", state=str(
            InvitationState.LABELS[invitation.state]).lower()))
    if member.profile is None or member.profile.kind == ApplicantKind.FREELANCER:
        save_profile(member, _profile(member, invitation, corrected))
    subscriptions = []
    if corrected.get("mobile"):
        subscriptions.append({"kind": SubscriptionKind.MOBILE, "operator": corrected.get("operator"),
                              "identifier": corrected["mobile"]})
    if corrected.get("subscriber_id") and not corrected.get("addresses"):
        subscriptions.append({"kind": SubscriptionKind.FIXED, "operator": corrected.get("isp"),
                              "identifier": corrected["subscriber_id"]})
    data = parse_application({"purpose": corrected.get("purpose") or "", "category": Category.FREELANCER_VPN,
                              "entries": list(corrected.get("addresses") or []), "subscriptions": subscriptions})
    application = create_application(member, data)
    application.sponsor_id = invitation.sponsor_id
    _move(invitation, InvitationState.ACCEPTED, member_id=member.id, application_id=application.id)
    audit.record("sponsor.invitation_accepted", application, actor=member, sponsor_id=invitation.sponsor_id,
                 invitation_id=invitation.id)
    waiting = None
    try:
        with db.session.begin_nested():
            submit(application)
    except ServiceError as exc:
        waiting = exc.message
    return invitation, waiting


def _profile(member: User, invitation: Invitation, corrected: dict) -> ProfileInput:
    """The member's freelancer profile with what they consented to: their profile's other fields (phone, PSEB
    number ...) stay as they were; a field the answer leaves empty keeps the profile's value."""
    existing = member.profile
    kept = {f.name: getattr(existing, f.name) for f in fields(ProfileInput)} if existing else {}
    given = {"name": corrected.get("name"), "city": corrected.get("city"), "cnic": corrected.get("cnic"),
             "isp_name": corrected.get("isp"), "isp_subscriber_id": corrected.get("subscriber_id")}
    merged = {**kept, **{name: value for name, value in given.items() if value}}
    merged.setdefault("name", invitation.name)
    merged.setdefault("cnic", invitation.cnic)
    return ProfileInput(**{**merged, "kind": ApplicantKind.FREELANCER, "city": merged.get("city") or ""})


def decline(invitation: Invitation, member: User) -> Invitation:
    check_invitee(invitation, member)
    _move(invitation, InvitationState.DECLINED, member_id=member.id)
    audit.record("sponsor.invitation_declined", ("invitation", invitation.id), actor=member,
                 sponsor_id=invitation.sponsor_id)
    return invitation


def withdraw_consent(invitation: Invitation, member: User) -> Invitation:
    """The member takes back their consent: the sponsor sees nothing more of them. Their application stays theirs
    (to withdraw as any other, if they wish) and no longer names the sponsor."""
    if invitation.member_id != member.id:
        raise NotAllowed(_("Only the member who accepted this invitation can withdraw their consent."))
    _move(invitation, InvitationState.WITHDRAWN)
    if invitation.application is not None:
        invitation.application.sponsor_id = None
    audit.record("sponsor.consent_withdrawn", ("invitation", invitation.id), actor=member,
                 sponsor_id=invitation.sponsor_id)
    return invitation


def invitations_of_member(member: User) -> list[Invitation]:
    return db.session.scalars(select(Invitation).where(Invitation.member_id == member.id)
                              .order_by(Invitation.id)).all()
