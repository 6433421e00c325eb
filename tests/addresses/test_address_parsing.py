"""parse_entry: what it accepts, every refusal (code + quoted input), and round trips."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from netaddr import INET_PTON
from netaddr.strategy import ipv4 as netaddr_ipv4

from app.addresses import AddressRange, EntryError, parse_entry
from app.addresses import codes
from app.addresses.parsing import MAX_ENTRY_LENGTH, parse_address
from app.addresses.ranges import MAPPED_FIRST, MAPPED_LAST

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("text, expected", [
    ("39.32.12.5", "39.32.12.5"),
    ("  39.32.12.5\t", "39.32.12.5"),
    ("39.32.12.0/24", "39.32.12.0/24"),
    ("39.32.12.5/32", "39.32.12.5"),
    ("0.0.0.0/0", "0.0.0.0/0"),
    ("39.32.12.5-39.32.12.20", "39.32.12.5-39.32.12.20"),
    ("39.32.12.5 - 39.32.12.20", "39.32.12.5-39.32.12.20"),
    ("39.32.12.0-39.32.12.255", "39.32.12.0/24"),
    ("39.32.12.5-39.32.12.5", "39.32.12.5"),
    ("2400:ADC0::1", "2400:adc0::1"),
    ("2400:adc0:0000::/32", "2400:adc0::/32"),
    ("2400:adc0::1-2400:adc0::ff", "2400:adc0::1-2400:adc0::ff"),
    ("::ffff:39.32.12.5", "39.32.12.5"),
    ("::ffff:39.32.12.0/120", "39.32.12.0/24"),
    ("::ffff:39.32.12.5-39.32.12.9", "39.32.12.5-39.32.12.9"),
])
def test_accepted_forms(text, expected):
    assert str(parse_entry(text)) == expected


def test_range_values_and_cover():
    rng = parse_entry("10.0.0.1-10.0.0.6")
    assert (rng.version, rng.start, rng.end, rng.size) == (4, 167772161, 167772166, 6)
    assert rng.cidrs == ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
    assert parse_entry("39.32.12.0/24").cidrs == ["39.32.12.0/24"]


def test_mapped_ipv6_is_ipv4():
    assert parse_entry("::ffff:39.32.12.5") == parse_entry("39.32.12.5")
    assert parse_entry("::ffff:272c:c05") == parse_entry("39.44.12.5")


REFUSALS = [
    ("", codes.EMPTY),
    ("   ", codes.EMPTY),
    ("1" * (MAX_ENTRY_LENGTH + 1), codes.TOO_LONG),
    ("٣٩.٣٢.١٢.٥", codes.NON_ASCII),          # Arabic-Indic digits
    ("۳۹.۳۲.۱۲.۵", codes.NON_ASCII),          # Extended (Urdu) digits
    ("39.32.12.５", codes.NON_ASCII),          # full-width digit
    ("fe80::1%eth0", codes.ZONE_ID),
    ("010.1.1.1", codes.LEADING_ZERO),
    ("10.01.1.1", codes.LEADING_ZERO),
    ("10.1.1.00", codes.LEADING_ZERO),
    ("0x7f.1", codes.HEX),
    ("0x7f.0.0.1", codes.HEX),
    ("1.2.3", codes.SHORT_FORM),
    ("127.1", codes.SHORT_FORM),
    ("2130706433", codes.SHORT_FORM),           # a bare integer, inet_aton's 127.0.0.1
    ("256.1.1.1", codes.OCTET_RANGE),
    ("1.2.3.4.5", codes.INVALID_ADDRESS),
    ("1.2.3.a", codes.INVALID_ADDRESS),
    ("hello", codes.INVALID_ADDRESS),
    ("2400:adc0:::1", codes.INVALID_ADDRESS),
    ("2400:adc0::00001", codes.INVALID_ADDRESS),
    ("::ffff:010.1.1.1", codes.LEADING_ZERO),
    ("39.32.12.0/", codes.PREFIX_INVALID),
    ("39.32.12.0/+24", codes.PREFIX_INVALID),
    ("39.32.12.0/024", codes.PREFIX_INVALID),
    ("39.32.12.0/24/24", codes.PREFIX_INVALID),
    ("39.32.12.0/255.255.255.0", codes.PREFIX_INVALID),
    ("39.32.12.0/33", codes.PREFIX_RANGE),
    ("2400::/129", codes.PREFIX_RANGE),
    ("::ffff:1.2.3.0/95", codes.PREFIX_RANGE),
    ("39.32.12.5/24", codes.HOST_BITS),
    ("2400:adc0::1/32", codes.HOST_BITS),
    ("39.32.12.5-", codes.RANGE_SHAPE),
    ("-39.32.12.5", codes.RANGE_SHAPE),
    ("1.1.1.1-1.1.1.2-1.1.1.3", codes.RANGE_SHAPE),
    ("39.32.12.0/24-39.32.13.0", codes.RANGE_SHAPE),
    ("39.32.12.20-39.32.12.5", codes.RANGE_ORDER),
    ("2400::9-2400::1", codes.RANGE_ORDER),
    ("39.32.12.5-2400::1", codes.MIXED_VERSIONS),
    ("2400::1-39.32.12.5", codes.MIXED_VERSIONS),
]


@pytest.mark.parametrize("text, code", REFUSALS)
def test_refusal_has_code_and_quotes_input(text, code):
    with pytest.raises(EntryError) as caught:
        parse_entry(text)
    error = caught.value
    assert error.code == code
    assert error.input == text
    assert isinstance(error, ValueError)
    if text.strip() and len(text) < 60:
        assert repr(text) in str(error)


def test_every_refusal_code_is_exercised():
    assert {code for _, code in REFUSALS} == set(codes.SYNTAX_CODES)


@pytest.mark.parametrize("text, suggestion", [
    ("39.32.12.5/24", "did you mean 39.32.12.0/24?"),
    ("010.1.1.1", "type 10.1.1.1"),
    ("39.32.12.20-39.32.12.5", "did you mean 39.32.12.5-39.32.12.20?"),
    ("2400:adc0::1/32", "did you mean 2400:adc0::/32?"),
])
def test_refusals_say_what_to_type(text, suggestion):
    with pytest.raises(EntryError, match=suggestion.replace("?", r"\?")):
        parse_entry(text)


def test_long_input_is_quoted_short():
    with pytest.raises(EntryError) as caught:
        parse_entry("9" * 5000)
    assert len(str(caught.value)) < 300


@PROPERTY
@given(st.text(alphabet="0123456789.x", max_size=20))
def test_ipv4_reading_matches_netaddr_strict_mode(text):
    expected = netaddr_ipv4.str_to_int(text, flags=INET_PTON) if netaddr_ipv4.valid_str(
        text, flags=INET_PTON) else None
    try:
        version, value = parse_address(text, text)
    except EntryError:
        value = None
    assert value == expected


def _ranges():
    def build(version, a, b):
        return AddressRange(version, min(a, b), max(a, b))
    v4 = st.integers(0, 2**32 - 1)
    v6 = st.integers(0, 2**128 - 1).filter(lambda n: not MAPPED_FIRST <= n <= MAPPED_LAST)
    cidr_v4 = st.builds(lambda n, p: AddressRange.from_cidr(4, n >> (32 - p) << (32 - p), p),
                        v4, st.integers(0, 32))
    return st.one_of(st.builds(build, st.just(4), v4, v4), st.builds(build, st.just(6), v6, v6),
                     cidr_v4)


@PROPERTY
@given(_ranges())
def test_parse_format_parse_is_identity(rng):
    assert parse_entry(str(rng)) == rng
    blocks = [parse_entry(cidr) for cidr in rng.cidrs]
    assert blocks[0].start == rng.start and blocks[-1].end == rng.end
    assert all(a.end + 1 == b.start for a, b in zip(blocks, blocks[1:]))
