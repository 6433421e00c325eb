"""Seeded synthetic register for bench_validation.py: approved space, and applications to validate.

generate() returns plain rows; seed_sqlite() and seed_postgres() insert them in bulk (executemany in one
transaction, COPY), adding timestamps and fixed columns, no ORM objects and no audit events:
- users, one per application to validate, each with an applicant profile: a firm with an NTN or a
  freelancer with a CNIC; 0.5% share their number with another account
- approved applications of 4 entries each, owned by those same users
- applications to validate (bulk set, then a small reference set), 1-4 entries each, half with one
  VPN endpoint, with their category's documents (10% miss one, 1% hold a file another applicant has)
Address space comes from the geoip2fast data the engine itself reads: 80% of the entries in
Pakistani IPv4 /24s, 15% in foreign IPv4 /24s, 5% IPv6 /48-/64 inside Pakistani prefixes. A /24
holds entries of one prefix length (/24 to /32, mostly /32) edge to edge, so no two entries overlap
by chance, and approved and new applications get separate /24s. Overlap is made on purpose and
recorded: 10% of the new applications have one entry equal to, inside or around an approved entry
(a fifth of them their own approved application: a renewal), and 1% repeat another new
application's entry.
"""
import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from app.addresses import AddressRange, format_ipv4_cidrs  # noqa: E402
from app.addresses.geo import FIRST_REAL_COUNTRY, geo_data  # noqa: E402
from app.choices import REQUIRED_DOCUMENTS, ApplicantKind, Category, Protocol, Role, State  # noqa: E402

SEED = 20240602
ENTRIES_PER_APPROVED = 4
SHARE_PK, SHARE_FOREIGN = 0.80, 0.15                 # the rest is IPv6
OVERLAP_APPROVED_SHARE, OWN_SHARE, OVERLAP_PENDING_SHARE = 0.10, 0.2, 0.01
# Blocks (/24s) by the prefix length of the entries that fill them: 47.7 entries per block on
# average, 54% of all entries /32, 20% /30, 17% /29, the rest /28-/24.
BLOCK_LENGTHS = {24: 7, 25: 5, 26: 8, 27: 10, 28: 20, 29: 25, 30: 15, 32: 10}
V6_LENGTHS = {48: 3, 56: 4, 64: 3}
CITIES = ("Lahore", "Karachi", "Islamabad", "Rawalpindi", "Faisalabad", "Peshawar", "Multan", "Quetta")


@dataclass
class Pool:
    """Disjoint entries, in the order they were laid out: (version, start, end) columns and text."""
    versions: list[int]
    starts: list[int]
    ends: list[int]
    texts: list[str]

    def __len__(self) -> int:
        return len(self.starts)

    def take(self, n: int) -> "Pool":
        taken = Pool(self.versions[:n], self.starts[:n], self.ends[:n], self.texts[:n])
        del self.versions[:n], self.starts[:n], self.ends[:n], self.texts[:n]
        return taken


@dataclass
class SeedData:
    users: list[tuple] = field(default_factory=list)         # (id, email, name)
    profiles: list[tuple] = field(default_factory=list)      # (id, user_id, kind, name, ntn, cnic, city)
    approved: list[tuple] = field(default_factory=list)      # (id, applicant_id, category)
    pending: list[tuple] = field(default_factory=list)       # (id, applicant_id, category): to validate
    entries: list[tuple] = field(default_factory=list)       # (id, application_id, position, input, version, start, end)
    endpoints: list[tuple] = field(default_factory=list)     # (id, application_id, host, protocol, port)
    documents: list[tuple] = field(default_factory=list)     # (id, application_id, kind, sha256, uploaded_by_id)
    bulk_ids: list[int] = field(default_factory=list)
    reference_ids: list[int] = field(default_factory=list)
    overlap_approved: set[int] = field(default_factory=set)  # must get overlap.approved_* findings, and only they
    overlap_own: set[int] = field(default_factory=set)       # of those, renewals of the applicant's own space
    overlap_pending: set[int] = field(default_factory=set)   # must get overlap.pending (others may too)

    def describe(self) -> str:
        v6 = sum(1 for e in self.entries if e[4] == 6)
        return (f"{len(self.users):,} applicants; {len(self.approved):,} approved applications; "
                f"{len(self.pending):,} to validate ({len(self.bulk_ids):,} bulk + {len(self.reference_ids):,} "
                f"reference); {len(self.entries):,} entries ({v6:,} IPv6); {len(self.endpoints):,} endpoints; "
                f"{len(self.documents):,} documents; {len(self.overlap_approved):,} applications overlap approved "
                f"space ({len(self.overlap_own):,} their own), {len(self.overlap_pending):,} overlap each other; "
                f"seed {SEED}")


def _weighted(rng, table: dict, size: int) -> np.ndarray:
    keys = np.array(list(table))
    weights = np.array(list(table.values()), dtype=float)
    return rng.choice(keys, size=size, p=weights / weights.sum())


def _ipv4_networks(pakistan: bool) -> tuple[np.ndarray, np.ndarray]:
    """(first address, prefix length) of each /24-or-wider IPv4 network of Pakistan, or of elsewhere."""
    table = geo_data().countries
    firsts, lengths = [], []
    for root_firsts, root_lengths, root_labels in zip(table.firsts, table.netlens, table.labels):
        for first, length, label in zip(root_firsts, root_lengths, root_labels):
            if first >= 1 << 32 or length > 24 or label < FIRST_REAL_COUNTRY:
                continue
            if table.names[label].startswith("PK:") == pakistan:
                firsts.append(first)
                lengths.append(length)
    return np.array(firsts, np.int64), np.array(lengths, np.int64)


def _pakistani_v6_networks() -> list[tuple[int, int]]:
    table = geo_data().countries
    found = []
    for root_firsts, root_lengths, root_labels in zip(table.firsts, table.netlens, table.labels):
        for first, length, label in zip(root_firsts, root_lengths, root_labels):
            if first >= 1 << 32 and length <= 48 and table.names[label].startswith("PK:"):
                found.append((first, length))
    return found


def pakistani_blocks(rng) -> np.ndarray:
    """Every Pakistani /24, shuffled."""
    firsts, lengths = _ipv4_networks(pakistan=True)
    counts = 1 << (24 - lengths)
    blocks = np.repeat(firsts, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)) * 256
    return rng.permutation(np.unique(blocks))


def foreign_blocks(rng, count: int) -> np.ndarray:
    """`count` distinct /24s of other countries, drawn in proportion to each network's size."""
    firsts, lengths = _ipv4_networks(pakistan=False)
    sizes = (1 << (24 - lengths)).astype(float)
    picked = set()
    while len(picked) < count:
        networks = rng.choice(len(firsts), size=count, p=sizes / sizes.sum())
        offsets = (rng.random(count) * sizes[networks]).astype(np.int64)
        picked.update((firsts[networks] + offsets * 256).tolist())
    return rng.permutation(np.array(sorted(picked), np.int64))[:count]


def fill_blocks(rng, blocks: np.ndarray, count: int) -> tuple[Pool, int]:
    """`count` IPv4 entries filling /24s edge to edge, each /24 with one prefix length; and the /24s used."""
    lengths = _weighted(rng, BLOCK_LENGTHS, len(blocks))
    per_block = 1 << (lengths - 24)
    used = int(np.searchsorted(np.cumsum(per_block), count)) + 1
    if used > len(blocks):
        raise ValueError(f"{count:,} entries need more than the {len(blocks):,} /24s available")
    per_block, lengths, blocks = per_block[:used], lengths[:used], blocks[:used]
    within = np.arange(per_block.sum()) - np.repeat(np.cumsum(per_block) - per_block, per_block)
    plen = np.repeat(lengths, per_block)[:count]
    nets = (np.repeat(blocks, per_block) + within * np.repeat(1 << (32 - lengths), per_block))[:count]
    ends = nets | ((1 << (32 - plen)) - 1)
    texts = [t[:-3] if t.endswith("/32") else t for t in format_ipv4_cidrs(nets, plen)]
    return Pool([4] * count, nets.tolist(), ends.tolist(), texts), used


def ipv6_pool(rng, count: int, networks: list[tuple[int, int]], taken: set) -> Pool:
    """`count` IPv6 entries, each alone in a /48 of a Pakistani prefix (so none overlap)."""
    lengths = _weighted(rng, V6_LENGTHS, count).tolist()
    pool = Pool([], [], [], [])
    weights = np.array([float(1 << min(48 - length, 20)) for _, length in networks])
    picks = iter(rng.choice(len(networks), size=count * 4, p=weights / weights.sum()).tolist())
    for pick in picks:
        if len(pool) == count:
            break
        first, length = networks[pick]
        block = first + (int(rng.integers(0, 1 << (48 - length))) << 80)
        if block in taken:
            continue
        taken.add(block)
        plen = lengths[len(pool)]
        start = block | (int(rng.integers(0, 1 << (plen - 48))) << (128 - plen) if plen > 48 else 0)
        rng_ = AddressRange.from_cidr(6, start, plen)
        pool.versions.append(6)
        pool.starts.append(rng_.start)
        pool.ends.append(rng_.end)
        pool.texts.append(str(rng_))
    if len(pool) < count:
        raise ValueError("not enough distinct Pakistani IPv6 /48s drawn")
    return pool


def address_pools(rng, approved: int, new: int) -> tuple[list[Pool], list[Pool]]:
    """([pk, foreign, v6] pools for approved entries, the same for new ones), never overlapping."""
    pk = pakistani_blocks(rng)
    sizes = [(int(n * SHARE_PK), int(n * SHARE_FOREIGN)) for n in (approved, new)]
    pk_approved, used = fill_blocks(rng, pk, sizes[0][0])
    pk_new, _ = fill_blocks(rng, pk[used:], sizes[1][0] + 1_000)   # a margin for 1-4 entries drawn later
    foreign = foreign_blocks(rng, (sizes[0][1] + sizes[1][1]) // 40 + 200)
    foreign_approved, used = fill_blocks(rng, foreign, sizes[0][1])
    foreign_new, _ = fill_blocks(rng, foreign[used:], sizes[1][1] + 1_000)
    networks, taken = _pakistani_v6_networks(), set()
    v6_approved = ipv6_pool(rng, approved - sum(sizes[0]), networks, taken)
    v6_new = ipv6_pool(rng, new - sum(sizes[1]) + 1_000, networks, taken)
    return [pk_approved, foreign_approved, v6_approved], [pk_new, foreign_new, v6_new]


def _around(rng, version: int, start: int, end: int) -> tuple[int, int, str]:
    """A range equal to, inside, or around (same /24 or /48) the given entry: 40/30/30."""
    bits = 32 if version == 4 else 128
    plen = bits - (end - start + 1).bit_length() + 1
    choice = rng.random()
    if choice < 0.3 and plen < bits:                               # inside: one address or /64
        inner = 32 if version == 4 else max(plen, 64)
        offset = int(rng.integers(0, 1 << (inner - plen))) << (bits - inner) if inner > plen else 0
        rng_ = AddressRange.from_cidr(version, start + offset, inner)
    elif choice >= 0.7 and plen >= (26 if version == 4 else 52):   # around: 2 or 4 bits wider
        outer = plen - (2 if version == 4 else 4)
        rng_ = AddressRange.from_cidr(version, start >> (bits - outer) << (bits - outer), outer)
    else:
        rng_ = AddressRange(version, start, end)
    return rng_.start, rng_.end, str(rng_)


def generate(applications: int, approved_entries: int, reference: int = 0) -> SeedData:
    rng = np.random.default_rng(SEED)
    new_total = applications + reference
    approved_apps = approved_entries // ENTRIES_PER_APPROVED
    sizes = rng.integers(1, 5, size=new_total)
    approved_pools, new_pools = address_pools(rng, approved_apps * ENTRIES_PER_APPROVED, int(sizes.sum()))
    data = SeedData()

    for user in range(1, new_total + 1):
        firm = rng.random() < 0.4
        data.users.append((user, f"applicant{user}@bench.example.pk", f"Applicant {user}"))
        data.profiles.append((user, user, ApplicantKind.FIRM if firm else ApplicantKind.FREELANCER,
                              f"Applicant {user}", f"{user:07d}-1" if firm else None,
                              None if firm else f"35202-{user:07d}-1", CITIES[user % len(CITIES)]))
    for shared in rng.choice(new_total, size=max(1, new_total // 200), replace=False).tolist():
        other = data.profiles[(shared + 1) % new_total]
        mine = data.profiles[shared]
        data.profiles[shared] = mine[:4] + (other[4] if mine[4] else None, other[5] if mine[5] else None) + mine[6:]

    # Approved applications: 4 consecutive entries of one pool each (a firm's neighbouring addresses).
    entry_id = 0
    approved_owner = []             # per approved entry: (application id, applicant id)
    categories = _weighted(rng, dict.fromkeys(Category.ALL, 1), approved_apps + new_total).tolist()
    owners = rng.integers(1, new_total + 1, size=approved_apps).tolist()
    application_id = 0
    for pool in approved_pools:
        for i in range(0, len(pool), ENTRIES_PER_APPROVED):
            application_id += 1
            applicant = owners[application_id - 1]
            data.approved.append((application_id, applicant, categories[application_id - 1]))
            for position in range(i, min(i + ENTRIES_PER_APPROVED, len(pool))):
                entry_id += 1
                data.entries.append((entry_id, application_id, position - i, pool.texts[position],
                                     pool.versions[position], pool.starts[position], pool.ends[position]))
                approved_owner.append((application_id, applicant))
    approved_rows = len(data.entries)

    # Applications to validate: entries of each drawn from the pools by kind, mostly Pakistani IPv4.
    kinds = rng.choice(3, size=int(sizes.sum()), p=[SHARE_PK, SHARE_FOREIGN, 1 - SHARE_PK - SHARE_FOREIGN])
    cursors = [0, 0, 0]
    new_entries = []                # per application: list of [version, start, end, text]
    k = 0
    for size in sizes.tolist():
        rows = []
        for _ in range(size):
            pool = new_pools[kinds[k]]
            c = cursors[kinds[k]]
            rows.append([pool.versions[c], pool.starts[c], pool.ends[c], pool.texts[c]])
            cursors[kinds[k]] += 1
            k += 1
        new_entries.append(rows)
    first_new = application_id + 1
    applicants = list(range(1, new_total + 1))

    overlapping = rng.choice(new_total, size=int(new_total * OVERLAP_APPROVED_SHARE), replace=False).tolist()
    for n in overlapping:
        row = data.entries[int(rng.integers(0, approved_rows))]
        owner_app, owner = approved_owner[row[0] - 1]
        new_entries[n][0][1:] = _around(rng, row[4], row[5], row[6])
        new_entries[n][0][0] = row[4]
        if rng.random() < OWN_SHARE:
            applicants[n] = owner
            data.overlap_own.add(first_new + n)
        data.overlap_approved.add(first_new + n)
    clean = np.setdiff1d(np.arange(new_total), overlapping)
    copiers = rng.choice(clean, size=int(new_total * OVERLAP_PENDING_SHARE) * 2, replace=False).tolist()
    for copier, source in zip(copiers[::2], copiers[1::2]):
        new_entries[copier][-1] = list(new_entries[source][int(rng.integers(0, len(new_entries[source])))])
        data.overlap_pending.update((first_new + copier, first_new + source))

    endpoint_id = document_id = 0
    protocols = [p for p in Protocol.ALL if p != "other"]
    for n, rows in enumerate(new_entries):
        application_id = first_new + n
        category = categories[approved_apps + n]
        data.pending.append((application_id, applicants[n], category))
        (data.bulk_ids if n < applications else data.reference_ids).append(application_id)
        for position, (version, start, end, text) in enumerate(rows):
            entry_id += 1
            data.entries.append((entry_id, application_id, position, text, version, start, end))
        if n % 2 == 0:
            endpoint_id += 1
            v4 = next((r for r in rows if r[0] == 4), None)
            host = str(AddressRange(4, v4[1], v4[1])) if v4 and n % 4 == 0 else f"vpn{n}.example.com"
            data.endpoints.append((endpoint_id, application_id, host, protocols[n % len(protocols)],
                                   (51820, 1194, 500, 443)[n % 4]))
        kinds_needed = REQUIRED_DOCUMENTS.get(category, ())
        if rng.random() < 0.1:
            kinds_needed = kinds_needed[1:]
        for kind in kinds_needed:
            document_id += 1
            reused = rng.random() < 0.01 and document_id > 1
            sha = data.documents[int(rng.integers(0, len(data.documents)))][3] if reused else rng.bytes(32).hex()
            data.documents.append((document_id, application_id, kind, sha, applicants[n]))
    return data


# ---- bulk insert (no ORM objects, no audit events) -------------------------------------------

def _sqlite_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's DATETIME text


def _cidrs(version: int, text_: str) -> str:
    return json.dumps([text_ if "/" in text_ else f"{text_}/{32 if version == 4 else 128}"])


def table_rows(data: SeedData, now: dt.datetime, stamp) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows; `stamp` turns a datetime into what the driver takes."""
    t_now, t_past, t_later = stamp(now), stamp(now - dt.timedelta(days=200)), stamp(now + dt.timedelta(days=300))
    b = lambda n: n.to_bytes(16, "big")  # noqa: E731  (UInt128's storage)
    approved = [(i, who, "Bench: approved office VPN", cat, State.APPROVED, t_past, t_past, t_past, t_past, t_past,
                 t_past, t_later) for i, who, cat in data.approved]
    pending = [(i, who, "Bench: VPN to a client abroad", cat, State.VALIDATING, t_now, t_now, t_now, None, None,
                None, None) for i, who, cat in data.pending]
    return {
        "users": (["id", "email", "name", "password_hash", "role", "active", "created_at", "session_token"],
                  [(i, email, name, "!bench", Role.APPLICANT, True, t_past, f"bench-{i}") for i, email, name in data.users]),
        "applicant_profiles": (["id", "user_id", "kind", "name", "ntn", "cnic", "city", "created_at", "updated_at"],
                               [row + (t_past, t_past) for row in data.profiles]),
        "applications": (["id", "applicant_id", "purpose", "category", "state", "created_at", "updated_at",
                          "submitted_at", "validated_at", "decided_at", "approved_at", "expires_at"],
                         approved + pending),
        "address_entries": (["id", "application_id", "position", "input", "version", "start", "end", "cidrs",
                             "size_class"],
                            [(i, a, p, t, v, b(s), b(e), _cidrs(v, t), (e - s).bit_length())
                             for i, a, p, t, v, s, e in data.entries]),
        "endpoints": (["id", "application_id", "position", "host", "protocol", "port"],
                      [(i, a, 0, host, proto, port) for i, a, host, proto, port in data.endpoints]),
        "documents": (["id", "application_id", "kind", "display_name", "stored_name", "content_type", "size",
                       "sha256", "uploaded_by_id", "uploaded_at"],
                      [(i, a, kind, f"{kind}.pdf", f"bench-{i}.pdf", "application/pdf", 120_000, sha, who, t_now)
                       for i, a, kind, sha, who in data.documents]),
    }


def seed_sqlite(engine, data: SeedData, now: dt.datetime) -> None:
    connection = engine.raw_connection()
    try:
        cursor = connection.driver_connection.cursor()
        cursor.execute("BEGIN")
        for table, (columns, rows) in table_rows(data, now, _sqlite_time).items():
            names = ", ".join(f'"{c}"' for c in columns)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
        cursor.execute("COMMIT")
    finally:
        connection.close()


def seed_postgres(engine, data: SeedData, now: dt.datetime) -> None:
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        with driver.cursor() as cursor:
            for table, (columns, rows) in table_rows(data, now, lambda moment: moment).items():
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        driver.commit()
        driver.autocommit = True
        with driver.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does within a minute of a bulk load
        driver.autocommit = False
    finally:
        connection.close()


if __name__ == "__main__":
    import time
    started = time.perf_counter()
    sample = generate(100_000, 1_000_000, 2_000)
    print(sample.describe())
    print(f"{time.perf_counter() - started:.1f} s to generate")
