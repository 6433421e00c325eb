"""Fixed snapshots for the format tests: a small one with every awkward name, and an empty one."""
from datetime import datetime, timezone

import pytest

from app.export import ApprovedRow, Snapshot

PUBLISHED = datetime(2024, 3, 14, 9, 26, 53, tzinfo=timezone.utc)
APPROVED = "2024-03-01T10:15:00+00:00"
EXPIRES = "2025-03-01T10:15:00+00:00"
COMMA_AND_QUOTES = 'Khan & Sons, "Indus Soft" (Pvt) Ltd'
URDU = "عائشہ سافٹ ویئر ہاؤس"
FORMULA = '=HYPERLINK("http://example.com/x","click")'
TWO_LINES = "Line One Networks\nKarachi branch"
HASH = "9f2c" * 16

ROWS = [
    ApprovedRow("39.32.0.0/24", 101, COMMA_AND_QUOTES, "company_vpn", APPROVED, EXPIRES),
    ApprovedRow("39.32.1.0/24", 101, COMMA_AND_QUOTES, "company_vpn", APPROVED, EXPIRES),
    ApprovedRow("111.68.96.7/32", 102, FORMULA, "freelancer_vpn", APPROVED, ""),
    ApprovedRow("182.176.0.0/22", 103, URDU, "call_center", APPROVED, EXPIRES),
    ApprovedRow("2400:adc0:100::/48", 104, TWO_LINES, "video_conferencing", APPROVED, EXPIRES),
    ApprovedRow("2400:adc0:200::1/128", 103, URDU, "call_center", APPROVED, EXPIRES),
]
CIDRS = ["39.32.0.0/23", "111.68.96.7/32", "182.176.0.0/22", "2400:adc0:100::/48", "2400:adc0:200::1/128"]


@pytest.fixture
def snapshot() -> Snapshot:
    return Snapshot.from_rows(7, PUBLISHED, list(ROWS), list(CIDRS), 4242, HASH)


@pytest.fixture
def empty_snapshot() -> Snapshot:
    return Snapshot.from_rows(8, PUBLISHED, [], [], 4243, HASH)
