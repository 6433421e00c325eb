"""Country and ASN of a range, from the offline data shipped inside the geoip2fast package.

One data file (`geoip2fast-asn-ipv6.dat.gz`: MaxMind GeoLite2 country + ASN, IPv4 and IPv6)
is loaded once, lazily, on first use (about 0.3 s and 100 MB). geoip2fast answers for one
address; a whitelist entry is a range, so we walk its sorted network tables ourselves and
report every network the range touches. geoip2fast keeps its tables in module globals that
the next GeoIP2Fast() call replaces, so we keep our own references to them.
"""
import bisect
import threading
from typing import NamedTuple

from app.addresses.ranges import BITS, AddressRange, format_address
from app.i18n import Phrase

DATA_FILE = "geoip2fast-asn-ipv6.dat.gz"
# A range wider than the limit is already refused as too broad; stop walking networks here.
MAX_NETWORKS_WALKED = 4096
# geoip2fast numbers its own reserved / private / not-found labels 0..15.
FIRST_REAL_COUNTRY = 16


class GeoPart(NamedTuple):
    start: int
    end: int
    code: str        # ISO country code, or "" where the data has no country
    name: str


class _Table(NamedTuple):
    index: list          # first key of each chunk
    firsts: list         # per chunk: sorted first address of each network
    netlens: list        # per chunk: prefix length of each network
    labels: list         # per chunk: label id of each network
    names: list          # label id -> text


class GeoData:
    """The loaded tables; build with `geo_data()`, which loads them once per process."""

    def __init__(self):
        import geoip2fast.geoip2fast as tables
        from geoip2fast import GeoIP2Fast

        GeoIP2Fast(geoip2fast_data_file=DATA_FILE)
        self.countries = _Table(tables.mainIndex, tables.mainListFirstIP, tables.mainListNetlength,
                                tables.mainListIDCountryCodes, tables.mainListNamesCountry)
        self.asns = None
        if getattr(tables, "mainIndexASN", None):
            self.asns = _Table(tables.mainIndexASN, tables.mainListFirstIPASN,
                               tables.mainListNetlengthASN, tables.mainListIDASN,
                               tables.mainListNamesASN)

    def country_parts(self, rng: AddressRange) -> list[GeoPart]:
        """The range cut into pieces by country; gaps in the data come back with code ""."""
        parts: list[GeoPart] = []
        cursor = rng.start
        for first, last, label in _networks(self.countries, rng):
            if first > cursor:
                parts.append(GeoPart(cursor, first - 1, "", "unknown"))
            code, _, name = self.countries.names[label].partition(":")
            if label < FIRST_REAL_COUNTRY:
                code = ""
            lo, hi = max(first, rng.start), min(last, rng.end)
            if parts and parts[-1].code == code and parts[-1].end + 1 == lo:
                parts[-1] = parts[-1]._replace(end=hi)
            else:
                parts.append(GeoPart(lo, hi, code, name))
            cursor = hi + 1
        if cursor <= rng.end:
            parts.append(GeoPart(cursor, rng.end, "", "unknown"))
        return parts

    def asn_names(self, rng: AddressRange) -> list[str]:
        """Distinct ASN / ISP names announcing any part of the range, in address order."""
        if self.asns is None:
            return []
        names: list[str] = []
        for _, _, label in _networks(self.asns, rng):
            name = self.asns.names[label]
            if name and name not in names:
                names.append(name)
        return names


def _networks(table: _Table, rng: AddressRange):
    """Yield (first, last, label) of each table network that overlaps the range."""
    if rng.version == 6 and rng.start < (1 << BITS[4]):
        return  # the tables key IPv4 and IPv6 on one integer line; ::/96 would alias IPv4
    bits = BITS[rng.version]
    root = max(bisect.bisect_right(table.index, rng.start) - 1, 0)
    chunk = max(bisect.bisect_right(table.firsts[root], rng.start) - 1, 0)
    for _ in range(MAX_NETWORKS_WALKED):
        if root >= len(table.firsts):
            return
        firsts = table.firsts[root]
        if chunk >= len(firsts):
            root, chunk = root + 1, 0
            continue
        first = firsts[chunk]
        if first > rng.end:
            return
        last = first + (1 << (bits - table.netlens[root][chunk])) - 1
        if last >= rng.start and (rng.version == 6) == (first >= 1 << BITS[4]):
            yield first, last, table.labels[root][chunk]
        chunk += 1


_lock = threading.Lock()
_loaded: GeoData | None = None
_load_error: Exception | None = None


def geo_data() -> GeoData | None:
    """The process-wide GeoData, loaded on first call; None if the data cannot be loaded."""
    global _loaded, _load_error
    if _loaded is None and _load_error is None:
        with _lock:
            if _loaded is None and _load_error is None:
                try:
                    _loaded = GeoData()
                except Exception as error:  # a missing or corrupt data file must not stop review
                    _load_error = error
    return _loaded


def describe_part(version: int, part: GeoPart) -> Phrase:
    """One piece of a range and its country, for a finding's summary (app.addresses.findings)."""
    where = f"{format_address(version, part.start)}-{format_address(version, part.end)}"
    if part.code:
        return Phrase("%(range)s: %(country)s (%(code)s)", range=where, country=part.name, code=part.code)
    return Phrase("%(range)s: no country in the data", range=where)
