"""What every format is rendered from: one published version's approved space, frozen."""
from datetime import datetime
from typing import NamedTuple


class ApprovedRow(NamedTuple):
    """One CIDR of one approved entry, with who holds it and until when (a row of csv and json)."""

    cidr: str
    application_id: int
    applicant: str
    category: str
    approved_at: str  # ISO 8601, UTC
    expires_at: str   # ISO 8601, UTC


class Snapshot(NamedTuple):
    serial: int
    published_at: datetime
    rows: list[ApprovedRow]      # IPv4 then IPv6, by address, then prefix length, then application
    cidrs: list[str]             # the rows aggregated (address engine): IPv4 then IPv6, sorted
    audit_head_seq: int          # the audit event that published this version
    audit_head_hash: str
