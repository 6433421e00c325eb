"""What every format is rendered from: one published version's approved space, frozen."""
from bisect import bisect_left
from datetime import datetime, timezone
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

    def families(self) -> tuple[list[str], list[str]]:
        """The aggregated CIDRs split into (IPv4, IPv6): the v6 block starts at the first text with a ':'."""
        split = bisect_left(self.cidrs, True, key=lambda cidr: ":" in cidr)
        return self.cidrs[:split], self.cidrs[split:]

    def published_utc(self) -> datetime:
        """published_at in UTC (a naive value is taken as UTC, as the database stores it)."""
        at = self.published_at
        return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)

    def published_iso(self) -> str:
        return self.published_utc().isoformat()

    def title(self) -> str:
        """The comment line the router formats start with, so a file on a router says which version it is."""
        v4, v6 = self.families()
        return (f"Raasta whitelist serial {self.serial}, published {self.published_iso()}: "
                f"{len(v4)} IPv4 and {len(v6)} IPv6 prefixes")
