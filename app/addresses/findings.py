"""classify(range): ordered, named checks that turn a parsed range into reviewer findings."""
from dataclasses import dataclass

from app.addresses import codes
from app.addresses.geo import describe_part, geo_data
from app.addresses.ranges import AddressRange
from app.addresses.special import reaches_outside_global_unicast, special_blocks_touching
from app.choices import DEFAULT_MAX_PREFIX_V4, DEFAULT_MAX_PREFIX_V6, Severity
from app.system.plurals import counted

MAX_PARTS_NAMED = 5
MAX_PARTS_DETAILED = 3      # more parts than this: name the countries, not every piece of the range


@dataclass(frozen=True)
class Finding:
    code: str       # codes.* constant
    severity: str   # Severity.ERROR | Severity.WARNING | Severity.INFO
    message: str    # to the applicant, who can act on it
    reviewer_message: str | None = None  # to the reviewer, where the advice differs


def check_special_purpose(rng: AddressRange) -> list[Finding]:
    found = []
    for block in special_blocks_touching(rng):
        where = (f"'{rng}' {'lies in' if block.range.contains(rng) else 'overlaps'} {block.cidr} ({block.name}, "
                 f"{block.rfc}), a special-purpose block that no organisation can be whitelisted for")
        found.append(Finding(codes.SPECIAL_PURPOSE, Severity.ERROR, f"{where}; remove that part.",
                             reviewer_message=f"{where}."))
    return found


def check_global_unicast(rng: AddressRange) -> list[Finding]:
    if not reaches_outside_global_unicast(rng):
        return []
    if any(block.range.contains(rng) for block in special_blocks_touching(rng)):
        return []   # already refused, with the block's own name
    outside = f"'{rng}' reaches outside 2000::/3, the only IPv6 space allocated for public addresses"
    return [Finding(codes.NOT_GLOBAL_UNICAST, Severity.ERROR,
                    f"{outside}; type the public IPv6 prefix your ISP gave you.",
                    reviewer_message=f"{outside}; it cannot be whitelisted.")]


def check_breadth(rng: AddressRange, max_prefix_v4: int, max_prefix_v6: int,
                  overridable: bool = True) -> list[Finding]:
    """`overridable` False: the range is refused anyway (special-purpose space), so a reviewer cannot
    allow it and the message must not say one could."""
    max_prefix = max_prefix_v4 if rng.version == 4 else max_prefix_v6
    limit = 1 << (rng.bits - max_prefix)
    if rng.size <= limit:
        return []
    advice = "list only the addresses you use, or ask a reviewer to allow it." if overridable else (
        "list only the addresses you use.")
    if rng.version == 6:  # 39-digit counts say nothing to a person; the ratio does
        ratio = rng.size // limit
        size = (f"is {counted(ratio, 'time')} as wide as a /{max_prefix}, the widest allowed" if ratio > 1
                else f"is wider than a /{max_prefix}, the widest allowed")
    else:
        size = f"holds {counted(rng.size, 'address')}, more than a /{max_prefix} ({limit:,})"
    for_reviewer = "override it only if the applicant's use needs the whole range." if overridable else (
        "it cannot be whitelisted anyway (special-purpose space).")
    return [Finding(codes.TOO_BROAD, Severity.ERROR, f"'{rng}' {size}; {advice}",
                    reviewer_message=f"'{rng}' {size}; {for_reviewer}")]


def check_country(rng: AddressRange) -> list[Finding]:
    data = geo_data()
    if data is None:
        return [Finding(codes.GEO_DATA_MISSING, Severity.INFO,
                        f"No country data is available to check '{rng}'.")]
    parts = data.country_parts(rng)
    countries = {part.code for part in parts}
    if countries == {codes.HOME_COUNTRY}:
        return []
    if len(parts) == 1:
        part = parts[0]
        if not part.code:
            return [Finding(codes.COUNTRY_UNKNOWN, Severity.WARNING,
                            f"'{rng}' has no country in the offline data; check who holds it.")]
        return [Finding(codes.COUNTRY_FOREIGN, Severity.WARNING,
                        f"'{rng}' is registered in {part.name} ({part.code}), not Pakistan.")]
    return [Finding(codes.COUNTRY_MIXED, Severity.WARNING, _mixed_countries(rng, parts))]


def _mixed_countries(rng: AddressRange, parts: list) -> str:
    """A summary a person can read: the countries by code, and the pieces only when there are few
    (a wide IPv6 range can cross dozens of networks)."""
    found = list(dict.fromkeys(part.code for part in parts if part.code))
    if len(found) == 1:  # one country, and gaps with none
        name = next(part.name for part in parts if part.code)
        return f"'{rng}' is partly registered in {name} ({found[0]}); the rest has no country in the offline data."
    listed = ", ".join(found[:MAX_PARTS_NAMED]) + (", …" if len(found) > MAX_PARTS_NAMED else "")
    unknown = ", and addresses with no country" if any(not part.code for part in parts) else ""
    summary = f"'{rng}' spans {len(found)} {'country' if len(found) == 1 else 'countries'}: {listed}{unknown}"
    if len(parts) > MAX_PARTS_DETAILED:
        return summary + "."
    return summary + " (" + "; ".join(describe_part(rng.version, part) for part in parts) + ")."


def check_asn(rng: AddressRange) -> list[Finding]:
    data = geo_data()
    if data is None:
        return []
    if data.asns is None:
        return [Finding(codes.GEO_DATA_MISSING, Severity.INFO, "No ASN data is available offline.")]
    names = data.asn_names(rng)
    if not names:
        return []
    shown = ", ".join(names[:MAX_PARTS_NAMED]).rstrip(".")
    return [Finding(codes.ASN_INFO, Severity.INFO, f"'{rng}' is announced by {shown}.")]


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
