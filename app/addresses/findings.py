"""classify(range): ordered, named checks that turn a parsed range into reviewer findings."""
from dataclasses import dataclass

from app.addresses import codes
from app.addresses.geo import describe_part, geo_data
from app.addresses.ranges import AddressRange
from app.addresses.special import (
    reaches_outside_global_unicast,
    special_blocks_touching,
)
from app.choices import DEFAULT_MAX_PREFIX_V4, DEFAULT_MAX_PREFIX_V6, Severity
from app.i18n import Phrase

MAX_PARTS_NAMED = 5
MAX_PARTS_DETAILED = 3      # more parts than this: name the countries, not every piece of the range


@dataclass(frozen=True)
class Finding:
    """A finding's words are app.i18n.Phrases, stored and read later in the reader's language (the
    validation checks pass them on); `message` and `reviewer_message` are their English."""
    code: str       # codes.* constant
    severity: str   # Severity.ERROR | Severity.WARNING | Severity.INFO
    phrase: Phrase  # to the applicant, who can act on it
    reviewer_phrase: Phrase | None = None  # to the reviewer, where the advice differs

    @property
    def message(self) -> str:
        return self.phrase.english

    @property
    def reviewer_message(self) -> str | None:
        return self.reviewer_phrase.english if self.reviewer_phrase else None


def _said(sentence: Phrase, **params) -> Phrase:
    """One of the sentences below, with its values."""
    return Phrase(sentence.msgid, **params)


# (inside the block?) -> (to the applicant, to the reviewer)
_SPECIAL = {
    True: (Phrase("'%(range)s' lies in %(cidr)s (%(name)s, %(rfc)s), a special-purpose block that no organisation "
                  "can be whitelisted for; remove that part."),
           Phrase("'%(range)s' lies in %(cidr)s (%(name)s, %(rfc)s), a special-purpose block that no organisation "
                  "can be whitelisted for.")),
    False: (Phrase("'%(range)s' overlaps %(cidr)s (%(name)s, %(rfc)s), a special-purpose block that no "
                   "organisation can be whitelisted for; remove that part."),
            Phrase("'%(range)s' overlaps %(cidr)s (%(name)s, %(rfc)s), a special-purpose block that no "
                   "organisation can be whitelisted for.")),
}


def check_special_purpose(rng: AddressRange) -> list[Finding]:
    found = []
    for block in special_blocks_touching(rng):
        # The block's name is IANA's (a registry's name, kept in English like its RFC number).
        where = {"range": str(rng), "cidr": block.cidr, "name": block.name, "rfc": block.rfc}
        applicant, reviewer = _SPECIAL[block.range.contains(rng)]
        found.append(Finding(codes.SPECIAL_PURPOSE, Severity.ERROR, _said(applicant, **where),
                             reviewer_phrase=_said(reviewer, **where)))
    return found


def check_global_unicast(rng: AddressRange) -> list[Finding]:
    if not reaches_outside_global_unicast(rng):
        return []
    if any(block.range.contains(rng) for block in special_blocks_touching(rng)):
        return []   # already refused, with the block's own name
    return [Finding(codes.NOT_GLOBAL_UNICAST, Severity.ERROR,
                    Phrase("'%(range)s' reaches outside 2000::/3, the only IPv6 space allocated for public addresses; "
                           "type the public IPv6 prefix your ISP gave you.", range=str(rng)),
                    reviewer_phrase=Phrase("'%(range)s' reaches outside 2000::/3, the only IPv6 space allocated for "
                                           "public addresses; it cannot be whitelisted.", range=str(rng)))]


# How wide (an IPv6 range: as a ratio, or just wider; an IPv4 range: its count), and whether a reviewer may
# allow it -> (to the applicant, to the reviewer). Each is wider than the limit, so counts are always plural.
_TOO_BROAD = {
    ("times", True): (
        Phrase("'%(range)s' is %(ratio)s times as wide as a %(prefix)s, the widest allowed; list only the addresses "
               "you use, or ask a reviewer to allow it."),
        Phrase("'%(range)s' is %(ratio)s times as wide as a %(prefix)s, the widest allowed; override it only if the "
               "applicant's use needs the whole range.")),
    ("times", False): (
        Phrase("'%(range)s' is %(ratio)s times as wide as a %(prefix)s, the widest allowed; list only the addresses "
               "you use."),
        Phrase("'%(range)s' is %(ratio)s times as wide as a %(prefix)s, the widest allowed; it cannot be "
               "whitelisted anyway (special-purpose space).")),
    ("wider", True): (
        Phrase("'%(range)s' is wider than a %(prefix)s, the widest allowed; list only the addresses you use, or ask "
               "a reviewer to allow it."),
        Phrase("'%(range)s' is wider than a %(prefix)s, the widest allowed; override it only if the applicant's use "
               "needs the whole range.")),
    ("wider", False): (
        Phrase("'%(range)s' is wider than a %(prefix)s, the widest allowed; list only the addresses you use."),
        Phrase("'%(range)s' is wider than a %(prefix)s, the widest allowed; it cannot be whitelisted anyway "
               "(special-purpose space).")),
    ("holds", True): (
        Phrase("'%(range)s' holds %(size)s addresses, more than a %(prefix)s (%(limit)s); list only the addresses "
               "you use, or ask a reviewer to allow it."),
        Phrase("'%(range)s' holds %(size)s addresses, more than a %(prefix)s (%(limit)s); override it only if the "
               "applicant's use needs the whole range.")),
    ("holds", False): (
        Phrase("'%(range)s' holds %(size)s addresses, more than a %(prefix)s (%(limit)s); list only the addresses "
               "you use."),
        Phrase("'%(range)s' holds %(size)s addresses, more than a %(prefix)s (%(limit)s); it cannot be "
               "whitelisted anyway (special-purpose space).")),
}


def check_breadth(rng: AddressRange, max_prefix_v4: int, max_prefix_v6: int,
                  overridable: bool = True) -> list[Finding]:
    """`overridable` False: the range is refused anyway (special-purpose space), so a reviewer cannot
    allow it and the message must not say one could."""
    max_prefix = max_prefix_v4 if rng.version == 4 else max_prefix_v6
    limit = 1 << (rng.bits - max_prefix)
    if rng.size <= limit:
        return []
    values = {"range": str(rng), "prefix": f"/{max_prefix}"}
    if rng.version == 6:  # 39-digit counts say nothing to a person; the ratio does
        ratio = rng.size // limit
        how = "times" if ratio > 1 else "wider"
        values |= {"ratio": f"{ratio:,}"} if ratio > 1 else {}
    else:
        how = "holds"
        values |= {"size": f"{rng.size:,}", "limit": f"{limit:,}"}
    applicant, reviewer = _TOO_BROAD[how, overridable]
    return [Finding(codes.TOO_BROAD, Severity.ERROR, _said(applicant, **values),
                    reviewer_phrase=_said(reviewer, **values))]


def check_country(rng: AddressRange) -> list[Finding]:
    data = geo_data()
    if data is None:
        return [Finding(codes.GEO_DATA_MISSING, Severity.INFO,
                        Phrase("No country data is available to check '%(range)s'.", range=str(rng)))]
    parts = data.country_parts(rng)
    countries = {part.code for part in parts}
    if countries == {codes.HOME_COUNTRY}:
        return []
    if len(parts) == 1:
        part = parts[0]
        if not part.code:
            return [Finding(codes.COUNTRY_UNKNOWN, Severity.WARNING,
                            Phrase("'%(range)s' has no country in the offline data; check who holds it.",
                                   range=str(rng)))]
        return [Finding(codes.COUNTRY_FOREIGN, Severity.WARNING,
                        Phrase("'%(range)s' is registered in %(country)s (%(code)s), not Pakistan.",
                               range=str(rng), country=part.name, code=part.code))]
    return [Finding(codes.COUNTRY_MIXED, Severity.WARNING, _mixed_countries(rng, parts))]


# (addresses with no country among them?, the pieces shown?) -> the summary
_MIXED = {
    (False, False): Phrase("'%(range)s' spans %(num)s countries: %(countries)s."),
    (True, False): Phrase("'%(range)s' spans %(num)s countries: %(countries)s, and addresses with no country."),
    (False, True): Phrase("'%(range)s' spans %(num)s countries: %(countries)s (%(parts)s)."),
    (True, True): Phrase("'%(range)s' spans %(num)s countries: %(countries)s, and addresses with no country "
                         "(%(parts)s)."),
}


def _mixed_countries(rng: AddressRange, parts: list) -> Phrase:
    """A summary a person can read: the countries by code, and the pieces only when there are few
    (a wide IPv6 range can cross dozens of networks)."""
    found = list(dict.fromkeys(part.code for part in parts if part.code))
    if len(found) == 1:  # one country, and gaps with none
        name = next(part.name for part in parts if part.code)
        return Phrase("'%(range)s' is partly registered in %(country)s (%(code)s); the rest has no country in the "
                      "offline data.", range=str(rng), country=name, code=found[0])
    # Here two countries or more (one was above; a range with none is one piece): always "countries".
    listed = ", ".join(found[:MAX_PARTS_NAMED]) + (", …" if len(found) > MAX_PARTS_NAMED else "")
    unknown = any(not part.code for part in parts)
    values = {"range": str(rng), "num": f"{len(found):,}", "countries": listed}
    if len(parts) > MAX_PARTS_DETAILED:
        return _said(_MIXED[unknown, False], **values)
    return _said(_MIXED[unknown, True], parts=[describe_part(rng.version, part) for part in parts], **values)


def check_asn(rng: AddressRange) -> list[Finding]:
    data = geo_data()
    if data is None:
        return []
    if data.asns is None:
        return [Finding(codes.GEO_DATA_MISSING, Severity.INFO, Phrase("No ASN data is available offline."))]
    names = data.asn_names(rng)
    if not names:
        return []
    shown = ", ".join(names[:MAX_PARTS_NAMED]).rstrip(".")
    return [Finding(codes.ASN_INFO, Severity.INFO,
                    Phrase("'%(range)s' is announced by %(networks)s.", range=str(rng), networks=shown))]


def classify(rng: AddressRange, max_prefix_v4: int = DEFAULT_MAX_PREFIX_V4,
             max_prefix_v6: int = DEFAULT_MAX_PREFIX_V6, geo: bool = True) -> list[Finding]:
    """All findings for one range, errors first in check order. `geo` False leaves out country and
    ASN, which need the 100 MB offline data: the checks run as an applicant saves a draft."""
    findings = check_special_purpose(rng)
    findings += check_global_unicast(rng)
    findings += check_breadth(rng, max_prefix_v4, max_prefix_v6, overridable=not findings)
    # Country and ASN mean nothing for special-purpose space, and would only repeat it.
    if geo and (not findings or all(f.code == codes.TOO_BROAD for f in findings)):
        findings += check_country(rng)
        findings += check_asn(rng)
    return findings
