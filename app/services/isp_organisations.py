"""ISP organisations: the ISPs on Raasta, their users, and how an applicant's typed ISP name finds one.

An applicant whose ISP is an organisation here gets its subscriber id confirmed by that ISP; a name
typed in that matches none is accepted and shown to reviewers as unconfirmed.
"""
from sqlalchemy import func, select, update

from app import audit
from app.choices import PAKISTAN_ISPS, OrganisationKind, Role
from app.extensions import db
from app.i18n import _
from app.models import ApplicantProfile, IspOrganisation, User
from app.services import Conflict, NotAllowed, ServiceError
from app.services.accounts import create_user

NAME_MAX = 100


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("Give the ISP organisation a name, e.g. PTCL or Nayatel."), field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(_("Keep the organisation name under %(max)s characters.", max=NAME_MAX), field="name")
    return name


def find_organisation(name: str | None) -> IspOrganisation | None:
    """The organisation called `name`, ignoring case and surrounding or repeated spaces."""
    name = " ".join((name or "").split())
    if not name:
        return None
    return db.session.scalar(select(IspOrganisation).where(func.lower(IspOrganisation.name) == name.lower()))


def organisation_of(user: User) -> IspOrganisation:
    """The ISP user's organisation; an isp account without one may not act for any ISP."""
    if user.organisation is None:
        raise NotAllowed(_("%(email)s belongs to no ISP organisation; ask a Raasta admin to add it to one.",
                           email=user.email))
    return user.organisation


def all_organisations() -> list[IspOrganisation]:
    return db.session.scalars(select(IspOrganisation).order_by(func.lower(IspOrganisation.name))).all()


def isp_suggestions() -> list[tuple[str, bool]]:
    """(name, on Raasta) for the applicant's ISP picker: organisations first, then the seed list."""
    names = [(o.name, True) for o in all_organisations()]
    taken = {name.lower() for name, _ in names}
    return names + [(name, False) for name in PAKISTAN_ISPS if name.lower() not in taken]


def create_organisation(name: str, actor=None, kind: str = OrganisationKind.FIXED) -> IspOrganisation:
    """A new organisation of `kind` (fixed-line ISP or mobile operator); refuses a name another one has (in
    any case). The caller commits."""
    name = _clean_name(name)
    if kind not in OrganisationKind.ALL:
        raise ServiceError(_("Kind %(kind)s is unknown; an organisation is %(kinds)s.", kind=repr(kind),
                             kinds=" or ".join(OrganisationKind.ALL)), field="kind")
    if find_organisation(name):
        raise Conflict(_("An ISP organisation called %(name)s already exists.", name=repr(name)), field="name")
    organisation = IspOrganisation(name=name, kind=kind)
    db.session.add(organisation)
    db.session.flush()
    audit.record("isp_organisation.created", organisation, actor=actor, name=name, kind=kind)
    return organisation


def rename_organisation(organisation: IspOrganisation, name: str, actor=None) -> IspOrganisation:
    """Rename, and update the ISP name on the profiles that picked it, so they keep matching it."""
    name = _clean_name(name)
    other = find_organisation(name)
    if other is not None and other.id != organisation.id:
        raise Conflict(_("Another ISP organisation is already called %(name)s.", name=repr(other.name)), field="name")
    before = organisation.name
    if before == name:
        return organisation
    organisation.name = name
    profiles = db.session.execute(update(ApplicantProfile).where(
        ApplicantProfile.isp_organisation_id == organisation.id).values(isp_name=name)).rowcount
    audit.record("isp_organisation.renamed", organisation, actor=actor, before=before, after=name, profiles=profiles)
    return organisation


def members(organisation: IspOrganisation) -> list[User]:
    return db.session.scalars(select(User).where(User.organisation_id == organisation.id).order_by(User.email)).all()


def member_counts() -> dict[int, int]:
    """Organisation id -> how many users belong to it."""
    return dict(db.session.execute(select(User.organisation_id, func.count()).where(
        User.organisation_id.is_not(None)).group_by(User.organisation_id)).all())


def create_isp_user(email: str, password: str, organisation_name: str, name: str = "", actor=None) -> User:
    """An account with role isp in the organisation `organisation_name`, created if new. The caller commits."""
    organisation_name = _clean_name(organisation_name)
    user = create_user(email, password, role=Role.ISP, name=name, actor=actor)
    organisation = find_organisation(organisation_name) or create_organisation(organisation_name, actor=actor)
    user.organisation_id = organisation.id
    audit.record("isp_organisation.member_added", organisation, actor=actor, user_id=user.id, email=user.email)
    return user
