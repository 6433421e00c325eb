"""What every format is rendered from: one published version's approved space, frozen.

The formats are written from smaller parts than a Snapshot (app/export/assembly.py streams them from
rendered blocks): VersionFacts and Counts are all a format's head needs to know, so the head is the same
whether the body comes from a Snapshot or from blocks.
"""
from bisect import bisect_left
from datetime import datetime, timezone
from typing import NamedTuple


class Holder(NamedTuple):
    """Who holds an approved application, and until when: the same on each of its CIDRs."""

    applicant: str
    category: str
    approved_at: str  # ISO 8601, UTC
    expires_at: str   # ISO 8601, UTC; "" for no expiry


class VersionFacts(NamedTuple):
    """What a version's files say about the version itself, beside its prefixes and rows."""

    serial: int
    published_at: datetime
    audit_head_seq: int  # the audit event that published this version
    audit_head_hash: str

    def published_utc(self) -> datetime:
        """published_at in UTC (a naive value is taken as UTC, as the database stores it)."""
        at = self.published_at
        return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)

    def published_iso(self) -> str:
        return self.published_utc().isoformat()


class Counts(NamedTuple):
    """A version's sizes, known before its body is written: heads (json's counts, ipset's hashsize,
    the routers' title line) come first in the file."""

    entries: int
    v4_prefixes: int
    v6_prefixes: int


def title(facts: VersionFacts, counts: Counts) -> str:
    """The comment line the router formats start with, so a file on a router says which version it is."""
    return (f"Raasta whitelist serial {facts.serial}, published {facts.published_iso()}: "
            f"{counts.v4_prefixes} IPv4 and {counts.v6_prefixes} IPv6 prefixes")


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

    def facts(self) -> VersionFacts:
        return VersionFacts(self.serial, self.published_at, self.audit_head_seq, self.audit_head_hash)

    def counts(self) -> Counts:
        v4, v6 = self.families()
        return Counts(len(self.entries), len(v4), len(v6))

    def family_lines(self) -> tuple[bytes, bytes]:
        """The aggregated CIDRs of each family as txt lines: what the chunk assemblers take, in one chunk each."""
        v4, v6 = self.families()
        return _lines(v4), _lines(v6)

    def published_utc(self) -> datetime:
        return self.facts().published_utc()

    def published_iso(self) -> str:
        return self.facts().published_iso()

    def title(self) -> str:
        return title(self.facts(), self.counts())


def _lines(cidrs: list[str]) -> bytes:
    return ("\n".join(cidrs) + "\n").encode() if cidrs else b""
