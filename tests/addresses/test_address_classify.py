"""classify: breadth limit, country and ASN from the offline geoip2fast data."""
import pytest

from app.addresses import classify, codes, parse_entry
from app.addresses import findings as findings_module
from app.choices import Severity


def codes_of(text, **limits):
    return [f.code for f in classify(parse_entry(text), **limits)]


@pytest.mark.parametrize("text, too_broad", [
    ("39.32.8.0/22", False),
    ("39.32.8.0/21", True),
    ("39.32.8.0-39.32.12.0", True),             # 1,025 addresses: one more than a /22
    ("2400:adc0::/32", False),
    ("2400:adc0::/31", True),
])
def test_breadth_default_limits(text, too_broad):
    assert (codes.TOO_BROAD in codes_of(text)) is too_broad


def test_breadth_limit_is_configurable():
    assert codes.TOO_BROAD not in codes_of("39.32.0.0/16", max_prefix_v4=16)
    assert codes.TOO_BROAD in codes_of("39.32.12.0/24", max_prefix_v4=25)
    assert codes.TOO_BROAD not in codes_of("2400:adc0::/28", max_prefix_v6=28)


def test_pakistani_range_has_asn_and_no_country_warning():
    findings = classify(parse_entry("39.32.12.0/24"))
    assert [f.code for f in findings] == [codes.ASN_INFO]
    assert findings[0].severity == Severity.INFO
    assert "Pakistan Telecommunication" in findings[0].message


def test_pakistani_ipv6_range():
    assert codes.COUNTRY_FOREIGN not in codes_of("2400:adc0::/32")


def test_foreign_range_is_a_warning_naming_the_country():
    findings = classify(parse_entry("8.8.8.0/24"))
    foreign = [f for f in findings if f.code == codes.COUNTRY_FOREIGN]
    assert foreign and foreign[0].severity == Severity.WARNING
    assert "United States" in foreign[0].message and "'8.8.8.0/24'" in foreign[0].message


def test_mixed_range_names_its_parts():
    findings = classify(parse_entry("39.63.255.0-39.64.0.255"))
    mixed = [f for f in findings if f.code == codes.COUNTRY_MIXED]
    assert mixed and mixed[0].severity == Severity.WARNING
    assert "39.63.255.0-39.63.255.255: Pakistan (PK)" in mixed[0].message
    assert "China (CN)" in mixed[0].message


def test_special_purpose_space_skips_geo_lookups():
    assert codes_of("10.0.0.0/24") == [codes.SPECIAL_PURPOSE]


def test_findings_are_frozen_and_severities_known():
    for finding in classify(parse_entry("39.63.255.0-39.64.0.255")):
        assert finding.severity in Severity.ALL and finding.code in codes.FINDING_CODES
        with pytest.raises(AttributeError):
            finding.code = "x"


def test_without_geo_data_classification_degrades_to_info(monkeypatch):
    monkeypatch.setattr(findings_module, "geo_data", lambda: None)
    findings = classify(parse_entry("39.32.12.0/24"))
    assert [(f.code, f.severity) for f in findings] == [(codes.GEO_DATA_MISSING, Severity.INFO)]
