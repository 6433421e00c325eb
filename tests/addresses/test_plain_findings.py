"""Findings a person can read: a wide IPv6 range's countries summarised, not dumped; IPv6 breadth as a
ratio, not a 39-digit count; and never two findings that contradict each other."""
import re

from app.addresses import classify, codes, parse_entry


def _messages(text, code):
    return [f.message for f in classify(parse_entry(text)) if f.code == code]


def test_a_range_across_many_countries_names_them_by_code_only():
    [summary] = _messages("2a00::/16", codes.COUNTRY_MIXED)
    assert re.fullmatch(r"'2a00::/16' spans \d+ countries: ([A-Z]{2}, ){5}…(, and addresses with no country)?\.",
                        summary), summary


def test_a_range_across_two_countries_still_shows_where_it_splits():
    [summary] = _messages("39.63.255.0-39.64.0.255", codes.COUNTRY_MIXED)
    assert summary.startswith("'39.63.255.0-39.64.0.255' spans 2 countries: PK, CN (39.63.255.0-39.63.255.255: ")


def test_ipv6_breadth_is_a_ratio():
    [message] = _messages("2a00::/22", codes.TOO_BROAD)
    assert message == ("'2a00::/22' is 1,024 times as wide as a /32, the widest allowed; list only the addresses you "
                       "use, or ask a reviewer to allow it.")


def test_special_purpose_space_is_never_also_something_a_reviewer_could_allow():
    found = classify(parse_entry("10.0.0.0/8"))
    assert [f.code for f in found] == [codes.SPECIAL_PURPOSE, codes.TOO_BROAD]
    assert "reviewer" not in found[1].message and "remove that part" in found[0].message
    [public] = _messages("8.0.0.0/8", codes.TOO_BROAD)
    assert public.endswith("or ask a reviewer to allow it.")
