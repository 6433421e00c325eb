"""classify(range): ordered, named checks that turn a parsed range into reviewer findings."""
from dataclasses import dataclass

from app.addresses import codes
from app.addresses.geo import describe_part, geo_data
from app.addresses.ranges import AddressRange
from app.addresses.special import reaches_outside_global_unicast, special_blocks_touching

# A small firm's office or VPN concentrator never needs more; a reviewer can override.
DEFAULT_MAX_PREFIX_V4 = 22
DEFAULT_MAX_PREFIX_V6 = 32
MAX_PARTS_NAMED = 5


@dataclass(frozen=True)
class Finding:
    code: str       # codes.* constant
    severity: str   # codes.ERROR | codes.WARNING | codes.INFO
    message: str


def check_special_purpose(rng: AddressRange) -> list[Finding]:
    return [Finding(codes.SPECIAL_PURPOSE, codes.ERROR,
                    f"'{rng}' {'lies in' if block.range.contains(rng) else 'overlaps'} "
                    f"{block.cidr} ({block.name}, {block.rfc}), a special-purpose block that no "
                    "organisation can be whitelisted for; remove that part.")
            for block in special_blocks_touching(rng)]


def check_global_unicast(rng: AddressRange) -> list[Finding]:
    if not reaches_outside_global_unicast(rng):
        return []
    if any(block.range.contains(rng) for block in special_blocks_touching(rng)):
        return []   # already refused, with the block's own name
    return [Finding(codes.NOT_GLOBAL_UNICAST, codes.ERROR,
                    f"'{rng}' reaches outside 2000::/3, the only IPv6 space allocated for public "
                    "addresses; type the public IPv6 prefix your ISP gave you.")]


def check_breadth(rng: AddressRange, max_prefix_v4: int, max_prefix_v6: int) -> list[Finding]:
    max_prefix = max_prefix_v4 if rng.version == 4 else max_prefix_v6
    limit = 1 << (rng.bits - max_prefix)
    if rng.size <= limit:
        return []
    return [Finding(codes.TOO_BROAD, codes.ERROR,
                    f"'{rng}' holds {rng.size:,} addresses, more than a /{max_prefix} "
                    f"({limit:,}); list only the addresses you use, or ask a reviewer to allow it.")]


def check_country(rng: AddressRange) -> list[Finding]:
    data = geo_data()
    if data is None:
        return [Finding(codes.GEO_DATA_MISSING, codes.INFO,
                        f"No country data is available to check '{rng}'.")]
    parts = data.country_parts(rng)
    countries = {part.code for part in parts}
    if countries == {codes.HOME_COUNTRY}:
        return []
    if len(parts) == 1:
        part = parts[0]
        if not part.code:
            return [Finding(codes.COUNTRY_UNKNOWN, codes.WARNING,
                            f"'{rng}' has no country in the offline data; check who holds it.")]
        return [Finding(codes.COUNTRY_FOREIGN, codes.WARNING,
                        f"'{rng}' is registered in {part.name} ({part.code}), not Pakistan.")]
    named = "; ".join(describe_part(rng.version, part) for part in parts[:MAX_PARTS_NAMED])
    more = f"; and {len(parts) - MAX_PARTS_NAMED} more parts" if len(parts) > MAX_PARTS_NAMED else ""
    return [Finding(codes.COUNTRY_MIXED, codes.WARNING,
                    f"'{rng}' spans several countries: {named}{more}.")]


def check_asn(rng: AddressRange) -> list[Finding]:
    data = geo_data()
    if data is None:
        return []
    if data.asns is None:
        return [Finding(codes.GEO_DATA_MISSING, codes.INFO, "No ASN data is available offline.")]
    names = data.asn_names(rng)
    if not names:
        return []
    shown = ", ".join(names[:MAX_PARTS_NAMED]).rstrip(".")
    return [Finding(codes.ASN_INFO, codes.INFO, f"'{rng}' is announced by {shown}.")]


def classify(rng: AddressRange, max_prefix_v4: int = DEFAULT_MAX_PREFIX_V4,
             max_prefix_v6: int = DEFAULT_MAX_PREFIX_V6) -> list[Finding]:
    """All findings for one range, errors first in check order."""
    findings = check_special_purpose(rng)
    findings += check_global_unicast(rng)
    findings += check_breadth(rng, max_prefix_v4, max_prefix_v6)
    # Country and ASN mean nothing for special-purpose space, and would only repeat it.
    if not findings or all(f.code == codes.TOO_BROAD for f in findings):
        findings += check_country(rng)
        findings += check_asn(rng)
    return findings
