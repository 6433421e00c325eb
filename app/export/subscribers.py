"""The operators' subscriber feeds: one organisation's approved subscriptions in one version, three formats.

csv and json carry one row per subscription (identifier, kind, application_id, holder, approved_at,
expires_at), sorted by identifier, for a mobile core's per-MSISDN policy or any script. `radius` is a
FreeRADIUS `users` file (mods-config/files/authorize) that gives each subscriber the Filter-Id the BRAS or
PCEF maps to "let VPN traffic through": mobile numbers matched on Calling-Station-Id (E.164 digits, as
mobile cores send the MSISDN), fixed-line accounts on User-Name. Each entry ends in `Fall-Through = Yes`
so the operator's own entries after it still run (authentication stays theirs; this file only adds the
Filter-Id). Same rules as the whitelist's formats: pure functions, the same feed gives the same bytes.

Each body is a head (what names the version: serial, time, organisation, count; empty for csv) and the rows
part after it, which depends on the rows alone (and radius's Filter-Id). A version in which an organisation's
subscriptions did not change reuses the rows part of the version before and renders only a new head
(services/publication/feeds.py): `render(feed) == head(feed.head()) + rows(feed)` for every format.
"""
from collections.abc import Callable
from datetime import datetime, timezone
from json.encoder import encode_basestring
from typing import NamedTuple

from app.choices import SubscriberFormat, SubscriptionKind
from app.export.csv import NEEDS_QUOTES, text_cell
from app.export.snapshot import Holder

CSV_HEADER = ("identifier", "kind", "application_id", "holder", "approved_at", "expires_at")


class FeedHead(NamedTuple):
    """What names a feed's version in its head."""

    serial: int
    published_at: datetime
    organisation: str
    count: int
    filter_id: str

    def published_iso(self) -> str:
        at = self.published_at
        return (at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)).isoformat()


class SubscriberFeed(NamedTuple):
    """One organisation's rows in one version; `holders` may hold other applications too (it is shared)."""

    serial: int
    published_at: datetime
    organisation: str
    rows: list[tuple[str, str, int]]  # (identifier, kind, application id), sorted by identifier
    holders: dict[int, Holder]
    filter_id: str                    # RADIUS_FILTER_ID, checked at startup (config.radius_filter_id)

    def head(self) -> FeedHead:
        return FeedHead(self.serial, self.published_at, self.organisation, len(self.rows), self.filter_id)


def csv_head(head: FeedHead) -> bytes:
    return b""  # the header line is the same in every version: part of the rows part


def csv_rows(feed: SubscriberFeed) -> bytes:
    """RFC 4180 with CRLF and formula-defused names, exactly as the whitelist's csv (app/export/csv.py)."""
    tails = {}
    lines = [",".join(CSV_HEADER) + "\r\n"]
    for identifier, kind, application_id in feed.rows:
        tail = tails.get(application_id)
        if tail is None:
            applicant, _, approved_at, expires_at = feed.holders[application_id]
            tail = tails[application_id] = f",{application_id},{text_cell(applicant)},{approved_at},{expires_at}\r\n"
        lines.append(f"{_identifier_cell(identifier)},{kind}{tail}")
    return "".join(lines).encode()


def _identifier_cell(identifier: str) -> str:
    """An identifier as typed (validated: no formula can start with a digit or +92...), quoted only if it must be;
    text_cell's leading quote would turn +923001234567 into a number no core can match."""
    return identifier if NEEDS_QUOTES.isdisjoint(identifier) else '"' + identifier.replace('"', '""') + '"'


def json_head(head: FeedHead) -> bytes:
    """The feed's facts; the rows part goes on with "subscribers"."""
    return (f'{{\n "serial": {head.serial},\n "published_at": "{head.published_iso()}",\n'
            f' "organisation": {encode_basestring(head.organisation)},\n "count": {head.count},\n').encode()


def json_rows(feed: SubscriberFeed) -> bytes:
    """One object a line under "subscribers" (fixed key order, UTF-8, null for no expiry), closing the object."""
    tails = {}
    items = []
    for identifier, kind, application_id in feed.rows:
        tail = tails.get(application_id)
        if tail is None:
            applicant, _, approved_at, expires_at = feed.holders[application_id]
            tail = tails[application_id] = (f'"application_id": {application_id}, "holder": '
                                            f'{encode_basestring(applicant)}, "approved_at": "{approved_at}", '
                                            f'"expires_at": {_date(expires_at)}}}')
        items.append(f'{{"identifier": {encode_basestring(identifier)}, "kind": "{kind}", {tail}')
    return (' "subscribers": [' + ("\n  " + ",\n  ".join(items) + "\n " if items else "") + "]\n}\n").encode()


def _date(iso: str) -> str:
    return f'"{iso}"' if iso else "null"


def radius_string(value: str) -> str:
    """`value` as a double-quoted FreeRADIUS string, backslash and quote escaped.

    Two things cannot be written safely, and never reach here (subscription inputs allow letters, digits and
    . _ / @ : - only; services/subscriptions/inputs.py): a control character (a line break ends the entry)
    and `%` (FreeRADIUS expands "%{...}" in a double-quoted value at run time). They are refused again here
    rather than published in a file that would break, or be run by, every operator's RADIUS server."""
    if "%" in value or any(not character.isprintable() for character in value):
        raise ValueError(f"{value!r} holds a control character or %; it cannot be written in a RADIUS users file")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def radius_head(head: FeedHead) -> bytes:
    """Comment lines naming the version and the Filter-Id, then a blank line."""
    return (f"# Raasta subscriber feed for {_comment(head.organisation)}: whitelist serial {head.serial}, "
            f"published {head.published_iso()}, {head.count} subscriptions.\n"
            f"# Each approved subscriber gets Filter-Id {radius_string(head.filter_id)}; Fall-Through lets the "
            "entries after these run as before.\n\n").encode()


def radius_rows(feed: SubscriberFeed) -> bytes:
    filter_id = radius_string(feed.filter_id)
    reply = f"\tFilter-Id := {filter_id},\n\tFall-Through = Yes\n\n"
    lines = []
    for identifier, kind, _ in feed.rows:
        if kind == SubscriptionKind.MOBILE:  # stored as E.164 (+923001234567); cores send the digits
            lines.append(f"DEFAULT\tCalling-Station-Id == {radius_string(identifier.lstrip('+'))}\n{reply}")
        else:
            lines.append(f"DEFAULT\tUser-Name == {radius_string(identifier)}\n{reply}")
    return "".join(lines).encode()


def _comment(text: str) -> str:
    """An organisation name on a comment line: one line, whatever an admin typed."""
    return " ".join(text.split())


class FeedFormat(NamedTuple):
    head: Callable[[FeedHead], bytes]
    rows: Callable[[SubscriberFeed], bytes]

    def render(self, feed: SubscriberFeed) -> bytes:
        return self.head(feed.head()) + self.rows(feed)


FEED_FORMATS: dict[str, FeedFormat] = {
    SubscriberFormat.CSV: FeedFormat(csv_head, csv_rows),
    SubscriberFormat.JSON: FeedFormat(json_head, json_rows),
    SubscriberFormat.RADIUS: FeedFormat(radius_head, radius_rows),
}
SUBSCRIBER_RENDERERS: dict[str, Callable[[SubscriberFeed], bytes]] = {
    fmt: parts.render for fmt, parts in FEED_FORMATS.items()}
