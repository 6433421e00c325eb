"""What every format is rendered from: one published version's approved space, frozen."""
from bisect import bisect_left
from datetime import datetime, timezone
from typing import NamedTuple


class Holder(NamedTuple):
    """Who holds an approved application, and until when: the same on each of its CIDRs."""

    applicant: str
    category: str
    approved_at: str  # ISO 8601, UTC
    expires_at: str   # ISO 8601, UTC; "" for no expiry


class ApprovedRow(NamedTuple):
    """One CIDR of one approved entry, with who holds it and until when (a row of csv and json)."""

    cidr: str
    application_id: int
    applicant: str
    category: str
    approved_at: str
    expires_at: str


class Snapshot(NamedTuple):
    """The rows of csv and json are `entries` joined with `holders`. They are kept apart because an
    application holds several CIDRs: renderers write each holder's cells once, not once a row (at a
    million rows, building and formatting the joined rows was a third of publishing)."""

    serial: int
    published_at: datetime
    entries: list[tuple[str, int]]  # (cidr, application id): IPv4 then IPv6, by address, length, application
    holders: dict[int, Holder]      # application id -> its holder, for every application in entries
    cidrs: list[str]                # the entries aggregated (address engine): IPv4 then IPv6, sorted
    audit_head_seq: int             # the audit event that published this version
    audit_head_hash: str

    @classmethod
    def from_rows(cls, serial: int, published_at: datetime, rows: list[ApprovedRow], cidrs: list[str],
                  audit_head_seq: int, audit_head_hash: str) -> "Snapshot":
        """A snapshot of joined rows; every row of one application must name the same holder."""
        holders: dict[int, Holder] = {}
        for row in rows:
            holder = holders.setdefault(row.application_id, Holder(*row[2:]))
            if holder != Holder(*row[2:]):
                raise ValueError(f"application {row.application_id} has two holders: {holder} and {row[2:]}")
        return cls(serial, published_at, [(row.cidr, row.application_id) for row in rows], holders, cidrs,
                   audit_head_seq, audit_head_hash)

    def rows(self) -> list[ApprovedRow]:
        """The entries joined with their holders, in entry order."""
        return [ApprovedRow(cidr, application_id, *self.holders[application_id])
                for cidr, application_id in self.entries]

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
