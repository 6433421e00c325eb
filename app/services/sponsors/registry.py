"""The sponsor organisation, its users, and its one approval by a reviewer (suspended and approved again as needed).

Every decision is a compare-and-set on the sponsor's state and is audited; a sponsor user acts only for its own
sponsor, and only once that sponsor is approved.
"""
from sqlalchemy import func, select, update

from app import audit
from app.choices import Role, SponsorKind, SponsorPaper, SponsorState, State
from app.extensions import db
from app.i18n import _
from app.models import Application, Sponsor, User
from app.models.types import utcnow
from app.services import Conflict, NotAllowed, ServiceError
from app.services.accounts import create_user
from app.services.locks import locked
from app.services.pakistani_numbers import tidy_cnic
from app.services.profiles import CNIC_FORMAT
from app.services.sponsors.papers import missing_papers
from app.services.transitions import move_many
from app.services.validation.queue import enqueue_batch

NAME_MAX = 200
REASON_MAX = 2000


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("Give the sponsor organisation a name, e.g. P@SHA."), field="organisation")
    if len(name) > NAME_MAX:
        raise ServiceError(_("Keep the organisation name under %(max)s characters.", max=NAME_MAX),
                           field="organisation")
    return name


def find_sponsor(name: str | None) -> Sponsor | None:
    """The sponsor called `name`, ignoring case and repeated spaces."""
    name = " ".join((name or "").split())
    return db.session.scalar(select(Sponsor).where(func.lower(Sponsor.name) == name.lower())) if name else None


def create_sponsor(name: str, kind: str, actor=None) -> Sponsor:
    """A new sponsor, waiting for a reviewer's approval; the caller commits."""
    name = _clean_name(name)
    if kind not in SponsorKind.ALL:
        raise ServiceError(_("Kind %(kind)s is unknown; a sponsor is one of %(kinds)s.", kind=repr(kind),
                             kinds=", ".join(SponsorKind.ALL)), field="kind")
    if find_sponsor(name):
        raise Conflict(_("A sponsor called %(name)s already exists.", name=repr(name)), field="organisation")
    sponsor = Sponsor(name=name, kind=kind, state=SponsorState.PENDING)
    db.session.add(sponsor)
    db.session.flush()
    audit.record("sponsor.created", sponsor, actor=actor, name=name, kind=kind)
    return sponsor


def create_sponsor_user(email: str, password: str, organisation: str, name: str = "",
                        kind: str = SponsorKind.ASSOCIATION, actor=None) -> User:
    """A `sponsor` account of the sponsor called `organisation`, created (of `kind`) if new; the caller commits."""
    sponsor = find_sponsor(organisation) or create_sponsor(organisation, kind, actor=actor)
    user = create_user(email, password, role=Role.SPONSOR, name=name, actor=actor)
    user.sponsor = sponsor
    audit.record("sponsor.user_added", sponsor, actor=actor, user_id=user.id, email=user.email)
    return user


def sponsor_of(user: User) -> Sponsor:
    """The sponsor a sponsor user acts for; an account without one acts for nobody."""
    if user.role != Role.SPONSOR or user.sponsor is None:
        raise NotAllowed(_("%(email)s belongs to no sponsor organisation; ask a Raasta admin to add it to one.",
                           email=user.email))
    return user.sponsor


def approved_sponsor_of(user: User) -> Sponsor:
    """The user's sponsor, which must be approved to invite anyone."""
    sponsor = sponsor_of(user)
    if sponsor.state != SponsorState.APPROVED:
        raise NotAllowed(_("%(name)s is %(state)s: a reviewer approves a sponsor (its registration and its "
                           "signatory's CNIC) before it can invite members.", name=sponsor.name,
                           state=str(SponsorState.LABELS[sponsor.state]).lower()),
                         details={"sponsor_state": sponsor.state})
    return sponsor


def update_details(sponsor: Sponsor, registration_number: str | None, signatory_name: str | None,
                   signatory_cnic: str | None, actor=None) -> Sponsor:
    """What the reviewer checks: the registration number, and the signatory's name and CNIC; the caller commits."""
    problems = {}
    registration_number = (registration_number or "").strip()
    signatory_name = " ".join((signatory_name or "").split())
    cnic = tidy_cnic(signatory_cnic or "")
    if not registration_number or len(registration_number) > 60:
        problems["registration_number"] = _("Give the organisation's registration number (SECP, PSEB or societies "
                                            "registrar), at most 60 characters.")
    if not signatory_name or len(signatory_name) > NAME_MAX:
        problems["signatory_name"] = _("Give the name of the person who signs for the organisation.")
    if not CNIC_FORMAT.match(cnic):
        problems["signatory_cnic"] = _("CNIC %(cnic)s is not in the format 12345-1234567-1.", cnic=repr(cnic))
    if problems:
        raise ServiceError(_("The sponsor's details have fields to correct: %(fields)s.",
                             fields=", ".join(problems)), details=problems)
    sponsor.registration_number, sponsor.signatory_name, sponsor.signatory_cnic = (registration_number,
                                                                                   signatory_name, cnic)
    audit.record("sponsor.details", sponsor, actor=actor, registration_number=registration_number,
                 signatory_name=signatory_name, signatory_cnic=cnic)
    return sponsor


def decide(sponsor: Sponsor, new_state: str, reason: str | None, actor: User) -> Sponsor:
    """A reviewer approves or suspends the sponsor: a compare-and-set on its state, audited. An approval needs the
    details filled in; a suspension needs a reason (its members are told nothing, but reviewers read it)."""
    if not actor.has_role(*Role.STAFF):
        raise NotAllowed(_("Only a reviewer or an admin decides on a sponsor."))
    previous = sponsor.state
    if new_state not in SponsorState.TRANSITIONS.get(previous, ()):
        raise Conflict(_("%(name)s is %(state)s; it cannot become %(requested)s.", name=sponsor.name,
                         state=str(SponsorState.LABELS[previous]).lower(),
                         requested=str(SponsorState.LABELS.get(new_state, new_state)).lower()),
                       details={"state": previous, "requested": new_state})
    reason = (reason or "").strip()
    if new_state == SponsorState.SUSPENDED and not reason:
        raise ServiceError(_("Give the reason for suspending the sponsor."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("Keep the reason under %(max)s characters.", max=REASON_MAX), field="reason")
    if new_state == SponsorState.APPROVED and not (sponsor.registration_number and sponsor.signatory_cnic):
        raise ServiceError(_("%(name)s has not given its registration number and signatory's CNIC yet; it cannot "
                             "be approved without them.", name=sponsor.name), field="state")
    missing = missing_papers(sponsor) if new_state == SponsorState.APPROVED else []
    if missing:
        raise ServiceError(_("%(name)s has not uploaded its %(papers)s yet; it cannot be approved without them.",
                             name=sponsor.name, papers=", ".join(str(SponsorPaper.LABELS[k]) for k in missing)),
                           field="state", details={"missing": missing})
    now = utcnow()
    changed = db.session.execute(update(Sponsor).where(Sponsor.id == sponsor.id, Sponsor.state == previous)
                                 .values(state=new_state, state_reason=reason or None, decided_at=now)
                                 .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise Conflict(_("%(name)s changed while this was being done; reload it and try again.", name=sponsor.name),
                       details={"state": previous, "requested": new_state})
    db.session.refresh(sponsor)
    audit.record(f"sponsor.{new_state}", sponsor, actor=actor, before=previous, after=new_state, reason=reason)
    if previous != SponsorState.PENDING:
        _check_members_again(sponsor, actor)
    return sponsor


def _check_members_again(sponsor: Sponsor, actor: User) -> list[int]:
    """The sponsor's word no longer stands for its members' employer letter (a suspension), or stands again: its
    members' applications waiting for review are validated again, so that the letter's finding comes or goes
    before a reviewer decides. Drafts ask for it when submitted."""
    waiting = locked(select(Application).where(Application.sponsor_id == sponsor.id,
                                               Application.state.in_(State.REVIEWABLE)).order_by(Application.id))
    if waiting:
        move_many(waiting, State.VALIDATING, actor=actor, reason=f"sponsor {sponsor.id} became {sponsor.state}")
        enqueue_batch([a.id for a in waiting])
    return [a.id for a in waiting]


def all_sponsors() -> list[Sponsor]:
    return db.session.scalars(select(Sponsor).order_by(func.lower(Sponsor.name))).all()
