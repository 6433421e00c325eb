"""An entry announced by another ISP than the one the applicant's profile names: a warning, never an error.

The offline data (geoip2fast) names the network that announces each range, not the ISP's brand, and
the names are untidy, so this only speaks about ISPs whose announcing names are listed below (each
checked against the shipped data), and only for Pakistani ranges (a foreign one has its own warning).
For any other ISP, or a range with no announcer in the data, it says nothing rather than guess.
A firm may legitimately hold space another ISP carries: the reviewer reads the warning and decides.
"""
from app.addresses import AddressRange
from app.addresses.codes import HOME_COUNTRY
from app.addresses.geo import geo_data
from app.choices import FindingCode, Severity
from app.i18n import Phrase
from app.services.validation.checks.base import CheckContext, Draft

_PTCL = ("Pakistan Telecommunication Company Limited", "Pakistan Telecom Company Limited",
         "PTCL MMBB DATA CENTRE", "Paknet Limited Merged into PTCL")
_CYBERNET = ("Cyber Internet Services Pvt Ltd.", "Cyber Internet Services Pakistan")
_JAZZ = ("PMCL LDI IP TRANSIT", "MOBILINK IT AS", "IX Peering for Mobilink and Link Direct International.")
_TRANSWORLD = ("Transworld Associates Pvt. Ltd.", "Trans World Enterprise Services Private Limited")

# The ISP as applicants name it (lower case) -> the names its networks are announced under.
ANNOUNCERS: dict[str, tuple[str, ...]] = {
    "ptcl": _PTCL,
    "nayatel": ("Nayatel Pvt Ltd",),
    "stormfiber": _CYBERNET,
    "storm fiber": _CYBERNET,
    "cybernet": _CYBERNET,
    "transworld": _TRANSWORLD,
    "wateen": ("Wateen Telecom Pvt. Ltd.",),
    "jazz": _JAZZ,
    "mobilink": _JAZZ,
    "zong": ("CMPak Limited",),
    "telenor": ("Telenor Pakistan",),
    "multinet": ("Multinet Pakistan Pvt. Ltd.", "Multinet Broadband"),
    "fiberlink": ("Fiberlink Pvt.Ltd",),
    "wi-tribe": ("WITRIBE PAKISTAN LIMITED",),
    "connect communications": ("Connect Communications", "Connect Communication"),
}


def check_announcing_isp(ctx: CheckContext):
    profile = ctx.application.applicant.profile
    expected = ANNOUNCERS.get(" ".join((profile.isp_name or "").lower().split())) if profile else None
    data = geo_data() if expected and ctx.geo else None
    if data is None or data.asns is None:
        return
    for entry in ctx.application.entries:
        rng = AddressRange(entry.version, entry.start, entry.end)
        names = data.asn_names(rng)
        if not names or any(name in expected for name in names):
            continue
        if {part.code for part in data.country_parts(rng)} != {HOME_COUNTRY}:
            continue
        params = {"entry": entry.input, "announcers": ", ".join(names[:3]), "isp": profile.isp_name}
        yield Draft(FindingCode.OTHER_ISP, Severity.WARNING,
                    Phrase("'%(entry)s' is announced by %(announcers)s, not by %(isp)s, the ISP in your profile. "
                           "If another ISP carries this range, tell the reviewer why in a note on the entry; else "
                           "correct the entry or your profile.", **params),
                    entry_id=entry.id, data={"announced_by": names[:10]},
                    reviewer_message=Phrase("'%(entry)s' is announced by %(announcers)s, not by %(isp)s, the ISP in "
                                            "the applicant's profile. Another ISP may carry the range for them: read "
                                            "the applicant's note on the entry, or ask them.", **params))
