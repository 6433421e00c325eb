"""Seeded synthetic national queue for bench_review.py: applicants, applications in every state, entries.

generate(applications) returns plain rows; seed() inserts them in bulk (COPY on PostgreSQL,
executemany on SQLite) with no ORM objects and no audit events:
- one applicant per two applications: 60% firms (NTN), 40% freelancers (CNIC), in eight cities, with
  one of the fifteen seed ISPs in any letter case
- states: 40% ready, 20% flagged, 5% needs info, 1% validation failed, 20% approved (with their
  approved prefixes), 10% rejected, 4% withdrawn; submitted over the last 180 days
- 1 to 5 entries each (3 on average), 95% IPv4 (a /24, /28, /29, /30, /32 or a short range), 5% IPv6
  /48s; every entry in a 256-address slot of its own, so no two applications overlap and any ready
  application can be batched with any other
- flagged applications have one or two error findings (a tenth of them overridden); a third of the
  ready ones have a warning; a third of the applications have an ISP confirmation
"""
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from app.addresses.ranges import format_address, prefixes_of  # noqa: E402
from app.choices import MOBILE_OPERATORS, PAKISTAN_ISPS, Category, ConfirmationState, FindingCode, Role, Severity, State  # noqa: E402
from app.services.decision_clock import Calendar, due_at  # noqa: E402

SEED = 20241201
CITIES = ("Lahore", "Karachi", "Islamabad", "Rawalpindi", "Faisalabad", "Peshawar", "Multan", "Quetta")
STATES = ((State.READY, 40), (State.FLAGGED, 20), (State.NEEDS_INFO, 5), (State.VALIDATION_FAILED, 1),
          (State.APPROVED, 20), (State.REJECTED, 10), (State.WITHDRAWN, 4))
V4_LENGTHS = ((24, 5), (28, 20), (29, 25), (30, 20), (32, 25), (None, 5))  # None: a range of 20 addresses
ERROR_CODES = ("breadth.too_broad", FindingCode.ISP_DISPUTED, FindingCode.OVERLAP_APPROVED, "special.reserved")
WARNING_CODES = (FindingCode.OVERLAP_PENDING, FindingCode.DOCUMENT_MISSING, FindingCode.IDENTITY_SHARED)
V4_BASE = 20 << 24            # slots from 20.0.0.0 up, 256 addresses each
V6_BASE = 0x2400_ADC0 << 96   # slots of a /48 each inside 2400:adc0::/32


@dataclass
class Rows:
    users: list = field(default_factory=list)
    profiles: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    overrides: list = field(default_factory=list)
    confirmations: list = field(default_factory=list)
    prefixes: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    batches: list = field(default_factory=list)
    batch_applications: list = field(default_factory=list)
    ready_ids: list = field(default_factory=list)
    reviewer_ids: tuple = ()

    def describe(self) -> str:
        states = {}
        for row in self.applications:
            states[row[4]] = states.get(row[4], 0) + 1
        return (f"{len(self.applications):,} applications ({', '.join(f'{n:,} {s}' for s, n in states.items())}); "
                f"{len(self.entries):,} entries; {len(self.findings):,} findings; {len(self.overrides):,} overrides; "
                f"{len(self.confirmations):,} ISP confirmations; {len(self.prefixes):,} approved prefixes; "
                f"{len(self.batches):,} published batches (one a day, each with its whitelist version); "
                f"{len(self.profiles):,} applicants")


def _pick(rng: random.Random, weighted) -> object:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def generate(applications: int, now: dt.datetime) -> Rows:
    rng = random.Random(SEED)
    rows = Rows()
    # After the organisations the migrations seed (the mobile operators), under names of their own.
    rows.organisations = [(ORGANISATION_IDS + i + 1, f"{name} Broadband" if name in MOBILE_OPERATORS else name)
                          for i, name in enumerate(PAKISTAN_ISPS)]
    applicants = max(1, applications // 2)
    reviewers = (applicants + 1, applicants + 2)
    rows.reviewer_ids = reviewers
    for user_id in range(1, applicants + 1):
        kind = "firm" if rng.random() < 0.6 else "freelancer"
        name = (f"{rng.choice(CITIES)} {rng.choice(('Soft', 'Digital', 'Labs', 'Systems'))} {user_id}"
                if kind == "firm" else f"Freelancer {user_id}")
        rows.users.append((user_id, f"applicant{user_id}@example.pk", name, Role.APPLICANT))
        isp = rng.choice(PAKISTAN_ISPS)
        rows.profiles.append((user_id, user_id, kind, name,
                              f"{user_id % 10_000_000:07d}-{user_id % 10}" if kind == "firm" else None,
                              f"{user_id % 100_000:05d}-{user_id % 10_000_000:07d}-{user_id % 10}"
                              if kind == "freelancer" else None,
                              rng.choice(CITIES), isp if rng.random() < 0.7 else isp.upper(), f"{isp}-{user_id}"))
    for user_id in reviewers:
        rows.users.append((user_id, f"reviewer{user_id}@example.pk", f"Reviewer {user_id}", Role.REVIEWER))
    slot = 0
    entry_id = finding_id = override_id = confirmation_id = prefix_id = 0
    for application_id in range(1, applications + 1):
        state = _pick(rng, STATES)
        applicant = rng.randint(1, applicants)
        submitted = now - dt.timedelta(days=rng.uniform(0, 180))
        validated = submitted + dt.timedelta(minutes=2)
        approved = validated + dt.timedelta(days=1) if state == State.APPROVED else None
        expires = approved + dt.timedelta(days=365) if approved else None
        rows.applications.append((application_id, applicant, "Bench: office VPN", rng.choice(Category.ALL), state,
                                  submitted, submitted, submitted, validated, approved, expires,
                                  due_at(submitted, 8, WORKING_WEEK)))
        if state == State.READY:
            rows.ready_ids.append(application_id)
        for position in range(rng.randint(1, 5)):
            slot += 1
            if rng.random() < 0.05:
                version, start = 6, V6_BASE | (slot << 80)
                end, text = start | ((1 << 80) - 1), f"{format_address(6, start)}/48"
            else:
                version, start, length = 4, V4_BASE + slot * 256, _pick(rng, V4_LENGTHS)
                if length is None:
                    start, end = start + 1, start + 20
                    text = f"{format_address(4, start)}-{format_address(4, end)}"
                else:
                    end = start + (1 << (32 - length)) - 1
                    text = f"{format_address(4, start)}/{length}"
            bits = 32 if version == 4 else 128
            cidrs = [f"{format_address(version, net)}/{plen}" for net, plen in prefixes_of(start, end, bits)]
            entry_id += 1
            rows.entries.append((entry_id, application_id, position, text, version, start, end, cidrs,
                                 (end - start).bit_length()))
            if state == State.APPROVED:
                for net, plen in prefixes_of(start, end, bits):
                    prefix_id += 1
                    rows.prefixes.append((prefix_id, application_id, entry_id, applicant, version, net,
                                          net | ((1 << (bits - plen)) - 1), plen,
                                          f"{format_address(version, net)}/{plen}"))
        codes = []
        if state == State.FLAGGED:
            codes = [(code, Severity.ERROR) for code in rng.sample(ERROR_CODES, rng.randint(1, 2))]
        elif rng.random() < 0.33:
            codes = [(rng.choice(WARNING_CODES), Severity.WARNING)]
        for code, severity in codes:
            finding_id += 1
            rows.findings.append((finding_id, application_id, code, severity, f"Bench finding {code}"))
        if state == State.FLAGGED and rng.random() < 0.1:
            for code, _ in codes:
                override_id += 1
                rows.overrides.append((override_id, application_id, code, "Bench: checked by phone", reviewers[0]))
            rows.ready_ids.append(application_id)
        if rng.random() < 0.33:
            confirmation_id += 1
            organisation = ORGANISATION_IDS + rng.randint(1, len(PAKISTAN_ISPS))
            rows.confirmations.append((confirmation_id, application_id, organisation, f"SUB-{application_id}",
                                       rng.choice(ConfirmationState.ALL)))
    rng.shuffle(rows.prefixes)  # as approved_space.add() inserts them: in address order the GiST index degrades
    _daily_batches(rows, now)
    return rows


def _daily_batches(rows: Rows, now: dt.datetime) -> None:
    """The approved applications in one published batch per day of approval, each batch with the whitelist version
    its approval published, so the dashboard's submission-to-publication figure reads as many rows as in use.
    Derived from the rows alone (no random numbers drawn), so the rest of the data is the same as before."""
    by_day: dict[dt.date, list] = {}
    for application_id, _, _, _, state, submitted, *_, approved, _, _ in rows.applications:
        if state == State.APPROVED:
            by_day.setdefault(approved.date(), []).append((application_id, approved))
    for serial, day in enumerate(sorted(by_day), start=1):
        members = by_day[day]
        published = min(max(approved for _, approved in members), now - dt.timedelta(seconds=1))
        rows.versions.append((serial, published, f"bench: batch {serial} approved", f"{serial:064x}"))
        rows.batches.append((serial, "published", rows.reviewer_ids[0], rows.reviewer_ids[1], published, published,
                             serial))
        rows.batch_applications += [(serial, application_id, State.READY) for application_id, _ in members]


ORGANISATION_IDS = 100  # bench organisations' ids start after this
WORKING_WEEK = Calendar()  # the default settings: Monday to Friday, 09:00-17:00 PKT, 8 working hours


def _tables(rows: Rows, stamp, now: dt.datetime) -> dict[str, tuple[list[str], object]]:
    b = lambda n: n.to_bytes(16, "big")  # noqa: E731  (UInt128's storage)
    t_now = stamp(now)
    return {
        "isp_organisations": (["id", "name", "kind", "created_at"],
                              [(i, name, "fixed", t_now) for i, name in rows.organisations]),
        "users": (["id", "email", "name", "password_hash", "role", "active", "created_at", "session_token"],
                  [(i, email, name, "!bench", role, True, t_now, f"bench{i:027d}") for i, email, name, role
                   in rows.users]),
        "applicant_profiles": (["id", "user_id", "kind", "name", "ntn", "cnic", "city", "isp_name",
                                "isp_subscriber_id", "created_at", "updated_at"],
                               [row + (t_now, t_now) for row in rows.profiles]),
        "applications": (["id", "applicant_id", "purpose", "category", "state", "created_at", "updated_at",
                          "submitted_at", "validated_at", "approved_at", "expires_at", "decision_due_at"],
                         [row[:5] + tuple(stamp(t) if t else None for t in row[5:]) for row in rows.applications]),
        "address_entries": (["id", "application_id", "position", "input", "version", "start", "end", "cidrs",
                             "size_class"],
                            [(i, a, p, t, v, b(s), b(e), json.dumps(c), k) for i, a, p, t, v, s, e, c, k
                             in rows.entries]),
        "findings": (["id", "application_id", "code", "severity", "message", "data", "created_at"],
                     [row + ("{}", t_now) for row in rows.findings]),
        "overrides": (["id", "application_id", "code", "reason", "reviewer_id", "created_at"],
                      [row + (t_now,) for row in rows.overrides]),
        "isp_confirmations": (["id", "application_id", "organisation_id", "subscriber_id", "state", "created_at",
                               "subscriptions_digest"],
                              [row + (t_now, "") for row in rows.confirmations]),
        "whitelist_versions": (["serial", "published_at", "reason", "entry_count", "prefix_count",
                                "subscription_count", "content_sha256"],
                               [(serial, stamp(at), reason, 0, 0, 0, digest) for serial, at, reason, digest
                                in rows.versions]),
        "batches": (["id", "state", "made_by_id", "approved_by_id", "created_at", "approved_at", "whitelist_serial"],
                    [row[:4] + (stamp(row[4]), stamp(row[5]), row[6]) for row in rows.batches]),
        "batch_applications": (["batch_id", "application_id", "state_at_batching"], rows.batch_applications),
        "approved_prefixes": (["id", "application_id", "entry_id", "applicant_id", "version", "start", "end",
                               "prefixlen", "network"],
                              [(i, a, e, who, v, b(s), b(end), p, n) for i, a, e, who, v, s, end, p, n
                               in rows.prefixes]),
    }


def _sqlite_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's DATETIME text


def seed(engine, rows: Rows, now: dt.datetime) -> None:
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        if engine.dialect.name == "sqlite":
            cursor = driver.cursor()
            cursor.execute("BEGIN")
            for table, (columns, values) in _tables(rows, _sqlite_time, now).items():
                names = ", ".join(f'"{c}"' for c in columns)
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})",
                                   values)
            cursor.execute("COMMIT")
            cursor.execute("ANALYZE")
            return
        with driver.cursor() as cursor:
            for table, (columns, values) in _tables(rows, lambda moment: moment, now).items():
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
                if "id" in columns:  # (whitelist_versions are numbered by serial, batch_applications by both ids)
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {table}))")
        driver.commit()
        driver.autocommit = True
        with driver.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
        driver.autocommit = False
    finally:
        connection.close()
