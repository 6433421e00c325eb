"""Applicant profiles: a firm with an NTN or a freelancer with a CNIC, and their ISP connection."""
import re
from dataclasses import asdict, dataclass, fields, replace

from app import audit
from app.choices import ApplicantKind
from app.extensions import db
from app.i18n import _, ngettext
from app.models import ApplicantProfile, User
from app.services import ServiceError
from app.services.isp_organisations import find_organisation
from app.services.pakistani_numbers import (
    ascii_digits,
    phone_ok,
    tidy_cnic,
    tidy_ntn,
    tidy_phone,
)
from app.services.publication import dirty

# ASCII only: `\d` would also match Urdu and Arabic digits, which tidy() turns into 0-9 first.
NTN_FORMAT = re.compile(r"^[0-9]{7}-[0-9]$")
CNIC_FORMAT = re.compile(r"^[0-9]{5}-[0-9]{7}-[0-9]$")
_TIDY = {"ntn": tidy_ntn, "cnic": tidy_cnic, "phone": tidy_phone}
_DIGITS_READ_AS_ASCII = ("secp_number", "pseb_number", "isp_subscriber_id")
WEB_ADDRESS = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def tidy_web_address(typed: str) -> str:
    """A platform address typed without its scheme (www.upwork.com/freelancers/...) gets https://, as a
    browser's address bar would; anything that would still not be a web address is left as typed, so the
    refusal quotes what the applicant wrote."""
    if _SCHEME.match(typed):
        return typed
    candidate = "https://" + typed.removeprefix("//")
    return candidate if WEB_ADDRESS.match(candidate) else typed


@dataclass
class ProfileInput:
    kind: str
    name: str
    city: str
    ntn: str | None = None
    cnic: str | None = None
    secp_number: str | None = None
    pseb_number: str | None = None
    platform_url: str | None = None
    phone: str | None = None
    isp_name: str | None = None
    isp_subscriber_id: str | None = None

    def __post_init__(self):
        for f in fields(self):  # blank optional fields mean "not given"
            value = getattr(self, f.name)
            if isinstance(value, str):
                setattr(self, f.name, value.strip() or None)


# What the profile page, the API's PUT /profile and its JSON carry: the dataclass is the one list.
PROFILE_FIELDS = tuple(f.name for f in fields(ProfileInput))


def _too_long(data: ProfileInput) -> dict[str, str]:
    """Fields longer than their column holds (the API takes any length; the web form caps it too)."""
    columns = ApplicantProfile.__table__.columns
    return {f.name: ngettext("Keep it under %(num)s character; this is %(length)s.",
                             "Keep it under %(num)s characters; this is %(length)s.", columns[f.name].type.length,
                             length=len(value))
            for f in fields(data) if isinstance(value := getattr(data, f.name), str)
            and len(value) > columns[f.name].type.length}


def tidy(data: ProfileInput) -> ProfileInput:
    """The numbers in the one form they are stored in: CNIC 35202-1234567-1, NTN 1234567-8, phones
    0300-1234567 / 021-111-222-333 / 042-35761234, every digit 0-9."""
    changes = {name: fix(getattr(data, name)) for name, fix in _TIDY.items() if getattr(data, name)}
    changes |= {name: ascii_digits(getattr(data, name)) for name in _DIGITS_READ_AS_ASCII if getattr(data, name)}
    if data.platform_url:
        changes["platform_url"] = tidy_web_address(data.platform_url)
    return replace(data, **changes)


def profile_problems(data: ProfileInput) -> dict[str, str]:
    """Each field at fault (every one at once), with what to type instead. Empty when acceptable.
    Give it tidied input (tidy())."""
    too_long = _too_long(data)
    problems = _shape_problems(data)
    problems.update(too_long)  # a field too long for its column says so, whatever else is wrong with it
    return problems


def _shape_problems(data: ProfileInput) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.kind not in ApplicantKind.ALL:
        problems["kind"] = _("Choose 'firm' (you have an NTN) or 'freelancer' (you have a CNIC).")
    if not data.name:
        problems["name"] = _("Enter the legal name of the firm, or your full name as on your CNIC.")
    if not data.city:
        problems["city"] = _("Enter the city where the connection is.")
    # The ISP and subscriber id confirm address entries (contract revision 3: optional, required only to submit
    # an application with addresses); a freelancer on mobile data registers a subscription instead. One
    # without the other confirms nothing.
    if data.isp_subscriber_id and not data.isp_name:
        problems["isp_name"] = _("Name the ISP that gave this subscriber id, e.g. PTCL or Nayatel.")
    if data.isp_name and not data.isp_subscriber_id:
        problems["isp_subscriber_id"] = _("Enter the subscriber or account id your ISP gave you (it is on your "
                                          "bill); the ISP confirms it. Leave both empty if you register your "
                                          "mobile number or broadband account as a subscription instead.")
    if data.kind == ApplicantKind.FIRM and not (data.ntn and NTN_FORMAT.match(data.ntn)):
        problems["ntn"] = (_("NTN %(ntn)s is not in the format 1234567-8.", ntn=repr(data.ntn)) if data.ntn
                           else _("A firm must give its NTN, in the format 1234567-8."))
    if data.kind == ApplicantKind.FREELANCER and not (data.cnic and CNIC_FORMAT.match(data.cnic)):
        problems["cnic"] = (_("CNIC %(cnic)s is not in the format 12345-1234567-1.", cnic=repr(data.cnic)) if data.cnic
                            else _("A freelancer must give a CNIC, in the format 12345-1234567-1."))
    if data.kind == ApplicantKind.FIRM and data.cnic and not CNIC_FORMAT.match(data.cnic):
        problems["cnic"] = _("CNIC %(cnic)s is not in the format 12345-1234567-1.", cnic=repr(data.cnic))
    if data.phone and not phone_ok(data.phone):
        problems["phone"] = _("Phone %(phone)s is not a Pakistani number; type e.g. 0300-1234567, "
                              "+92 51 1234567 or a UAN such as 021-111-222-333.", phone=repr(data.phone))
    if data.platform_url and not WEB_ADDRESS.match(data.platform_url):
        problems["platform_url"] = _("%(url)s is not a web address; type your profile's address, "
                                     "e.g. https://www.upwork.com/freelancers/yourname.", url=repr(data.platform_url))
    return problems


def save_profile(user: User, data: ProfileInput) -> ApplicantProfile:
    """Create or update the user's profile; the caller commits."""
    data = tidy(data)
    problems = profile_problems(data)
    if problems:
        raise ServiceError(_("The profile has fields to correct."), details=problems)
    profile = user.profile
    values = asdict(data)
    if data.kind == ApplicantKind.FIRM:
        values["platform_url"] = None
    else:
        values["secp_number"] = None
    # An ISP on Raasta confirms the subscriber id; any other name is kept as typed, and unconfirmed.
    organisation = find_organisation(data.isp_name)
    values["isp_organisation_id"] = organisation.id if organisation else None
    if organisation:
        values["isp_name"] = organisation.name
    if profile is None:
        profile = ApplicantProfile(user=user, **values)
        db.session.add(profile)
        db.session.flush()
        audit.record("profile.created", profile, after=values)
        dirty.mark_applicant(user.id)  # the whitelist named them by email until now
        return profile
    before = {key: getattr(profile, key) for key in values}
    changed = {key: value for key, value in values.items() if before[key] != value}
    for key, value in changed.items():
        setattr(profile, key, value)
    if changed:
        audit.record("profile.updated", profile, before={k: before[k] for k in changed}, after=changed)
    if "name" in changed:
        dirty.mark_applicant(user.id)  # the whitelist names the holder on every row of their approved space
    return profile
