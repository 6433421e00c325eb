"""Whitelist publication and distribution at 1,000,000 approved entries.

    .venv/bin/python bench/bench_publication.py [--entries N] [--subscriptions N] [--backend sqlite|postgres|both]
                                                [--duration S]

Per backend (SQLite file in a temporary folder; PostgreSQL at --postgres, default $BENCH_DATABASE_URL,
whose public schema is dropped and re-created by the migrations):
(a) publish: N approved entries (disjoint prefixes scattered so that few aggregate: the txt body
    has about N lines; 95% IPv4, 5% IPv6; 4 entries per application) are bulk-inserted with Core
    inserts, then `publication.publish()` + commit is timed: read, aggregate, render every format,
    sign, store. With them, --subscriptions (default 500,000) approved subscriptions of the same
    applications across 6 operators (Jazz, Zong, Telenor, Ufone: mobile numbers; two fixed ISPs:
    account ids), so publish also renders, signs and stores each operator's feed (csv, json, radius).
    Target < 20 s. Each phase is then timed again on its own for the breakdown.
(b) aggregation: the same IPv4 prefixes through `aggregate_columns()` (what publish runs; also
    file in -> file out: `read_columns` + `write_aggregate`) and through FireHOL `iprange --optimize`
    (a whole process, file in -> file out), same input, same run; outputs compared. Target: the
    engine within 2x of iprange.
(c) HTTP: the production web server (app/runtime/web_server.py with its defaults: WEB_CONCURRENCY=2
    waitress processes x 8 threads, its access log) serving the portal, against the same server
    serving bench/publication_reference.py; `wrk --latency` on 127.0.0.1:
    - GET /api/v1/whitelist/latest.txt with a bearer token and a matching If-None-Match (304)
      vs a bare Flask view returning 304 (target >= 80% of its rate);
    - the same without If-None-Match (200, the N-entry body) vs the same bytes as a static file
      (target >= 80%).
    Runs alternate reference/portal --rounds times; the best rate of each counts (the machine is shared).
Figures go under "## Whitelist publication" in bench/RESULTS.md (unless --no-write).
"""
import argparse
import datetime as dt
import gc
import hashlib
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from itertools import accumulate
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

import numpy as np  # noqa: E402
from bench_audit import reset_postgres  # noqa: E402
from results_file import write_section  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from app import create_app  # noqa: E402
from app.addresses import (  # noqa: E402
    AddressRange,
    RangeColumns,
    aggregate_columns,
    format_ipv4_cidrs,
    read_columns,
    write_aggregate,
)
from app.choices import Category, OrganisationKind, Role, State, SubscriptionKind  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.export import RENDERERS  # noqa: E402
from app.export.assembly import assemble  # noqa: E402
from app.export.blocks import render_block  # noqa: E402
from app.export.snapshot import VersionFacts  # noqa: E402
from app.export.subscribers import SUBSCRIBER_RENDERERS, SubscriberFeed  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    AddressEntry,
    ApplicantProfile,
    Application,
    ApprovedPrefix,
    ApprovedSubscription,
    IspOrganisation,
    Subscription,
    User,
)
from app.models.types import utcnow  # noqa: E402
from app.runtime import embedded_redis  # noqa: E402
from app.services.accounts import create_user  # noqa: E402
from app.services.publication import block_store, feeds  # noqa: E402
from app.services.publication import publish as publication  # noqa: E402
from app.services.tokens import issue_token  # noqa: E402

SECTION = "## Whitelist publication"
NOTES = "### Where the time goes"  # hand-written analysis inside the section, kept when figures are rewritten
SEED = 20240603
# Prefix lengths of the approved entries: mostly single addresses and small office ranges.
V4_LENGTHS = {24: 5, 25: 3, 26: 5, 27: 7, 28: 10, 29: 15, 30: 15, 32: 40}
V6_LENGTHS = {48: 3, 56: 4, 64: 3}
ENTRIES_PER_APPLICATION = 4
APPLICATIONS_PER_APPLICANT = 10
CHUNK = 50_000
FIXED_ISPS = ("Bench Fibre", "Bench Broadband")  # beside the four mobile operators of migration 0011
PUBLISH_TARGET_S = 20
AGGREGATE_TARGET = 2.0
HTTP_TARGET = 0.80
CONNECTIONS_304, CONNECTIONS_200 = 8, 4


# ---- (a) seed and publish ------------------------------------------------------------------------

def approved_space(entries: int) -> list[tuple[int, int, int, str]]:
    """(version, start, end, cidr) of `entries` disjoint prefixes, scattered so that few aggregate.

    The worst case for every format: 95% IPv4, each alone in a random /24 of 1.0.0.0-223.255.255.255
    (a /24 to /32 inside it, mostly long prefixes), 5% IPv6 /48-/64, each alone in a random /48 of
    2400::/12 (APNIC). The txt body then has about as many lines as there are entries.
    """
    rng = np.random.default_rng(SEED)
    v4_count = entries * 95 // 100
    blocks = rng.choice(np.arange(1 << 16, 224 << 16, dtype=np.int64), size=v4_count, replace=False) << 8
    lengths = rng.choice(np.array(list(V4_LENGTHS)), size=v4_count, p=_weights(V4_LENGTHS))
    offsets = (rng.integers(0, 256, size=v4_count) >> (32 - lengths)) << (32 - lengths)
    starts = blocks + offsets
    ends = starts | ((np.int64(1) << (32 - lengths)) - 1)
    space = [(4, start, end, cidr) for start, end, cidr in
             zip(starts.tolist(), ends.tolist(), format_ipv4_cidrs(starts, lengths))]
    v6_count = entries - v4_count
    v6_blocks = rng.choice(1 << 36, size=v6_count, replace=False)
    v6_lengths = rng.choice(np.array(list(V6_LENGTHS)), size=v6_count, p=_weights(V6_LENGTHS)).tolist()
    for block, length in zip(v6_blocks.tolist(), v6_lengths):
        network = (0x240 << 116) | (block << 80) | (int(rng.integers(0, 1 << (length - 48))) << (128 - length))
        prefix = AddressRange.from_cidr(6, network, length)
        space.append((6, prefix.start, prefix.end, prefix.cidrs[0]))
    return space


def _weights(table: dict) -> np.ndarray:
    weights = np.array(list(table.values()), dtype=float)
    return weights / weights.sum()


def seed(space: list[tuple[int, int, int, str]], subscriptions: int) -> float:
    """Applicants, approved applications, entries, approved prefixes and `subscriptions` approved subscriptions:
    Core inserts, one transaction."""
    started = time.perf_counter()
    now = utcnow()
    applications = -(-len(space) // ENTRIES_PER_APPLICATION)
    applicants = -(-applications // APPLICATIONS_PER_APPLICANT)
    categories = Category.ALL
    with db.engine.begin() as connection:
        def put(model, rows):
            for i in range(0, len(rows), CHUNK):
                connection.execute(insert(model.__table__), rows[i:i + CHUNK])

        put(User, [{"id": i, "email": f"applicant{i}@bench.example.pk", "name": f"Applicant {i}",
                    "password_hash": "!bench", "role": Role.APPLICANT} for i in range(1, applicants + 1)])
        put(ApplicantProfile, [{"id": i, "user_id": i, "kind": "firm", "name": f"Bench Firm {i} (Pvt) Ltd",
                                "ntn": f"{i:07d}-1", "city": "Lahore"} for i in range(1, applicants + 1)])
        put(Application, [{"id": a, "applicant_id": (a - 1) // APPLICATIONS_PER_APPLICANT + 1, "purpose": "bench",
                           "category": categories[a % len(categories)], "state": State.APPROVED,
                           "approved_at": now - dt.timedelta(days=a % 300),
                           "expires_at": now + dt.timedelta(days=65 + a % 300)} for a in range(1, applications + 1)])
        entries, prefixes = [], []
        for n, (version, start, end, cidr) in enumerate(space):
            application = n // ENTRIES_PER_APPLICATION + 1
            entries.append({"id": n + 1, "application_id": application, "position": n % ENTRIES_PER_APPLICATION,
                            "input": cidr, "version": version, "start": start, "end": end, "cidrs": [cidr],
                            "size_class": (end - start).bit_length()})
            prefixes.append({"id": n + 1, "application_id": application, "entry_id": n + 1,
                             "applicant_id": (application - 1) // APPLICATIONS_PER_APPLICANT + 1,
                             "version": version, "start": start, "end": end,
                             "prefixlen": int(cidr.rsplit("/", 1)[1]), "network": cidr})
        put(AddressEntry, entries)
        put(ApprovedPrefix, prefixes)
        del entries, prefixes
        _seed_subscriptions(connection, put, subscriptions, applications, now)
        if connection.dialect.name == "postgresql":
            for table in ("users", "applicant_profiles", "applications", "address_entries", "approved_prefixes",
                          "isp_organisations", "subscriptions", "approved_subscriptions"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))  # what autovacuum does within a minute of a bulk load
    return time.perf_counter() - started


def _seed_subscriptions(connection, put, count: int, applications: int, now) -> None:
    """`count` approved subscriptions spread over the approved applications and 6 operators: each mobile
    operator's numbers distinct (+923xx...), each fixed ISP's account ids distinct."""
    if not count:
        return
    mobile = connection.execute(text("SELECT id FROM isp_organisations WHERE kind = 'mobile' ORDER BY id")).scalars()
    operators = [(organisation_id, SubscriptionKind.MOBILE) for organisation_id in mobile]
    first_id = (connection.execute(text("SELECT max(id) FROM isp_organisations")).scalar() or 0) + 1
    put(IspOrganisation, [{"id": first_id + n, "name": name, "kind": OrganisationKind.FIXED, "created_at": now}
                          for n, name in enumerate(FIXED_ISPS)])
    operators += [(first_id + n, SubscriptionKind.FIXED) for n in range(len(FIXED_ISPS))]
    rows, approved = [], []
    for n in range(count):
        organisation_id, kind = operators[n % len(operators)]
        application = n % applications + 1
        identifier = f"+923{n:09d}"[:13] if kind == SubscriptionKind.MOBILE else f"acct-{n:08d}"
        rows.append({"id": n + 1, "application_id": application, "position": n // applications, "kind": kind,
                     "organisation_id": organisation_id, "identifier": identifier, "verified_at": now,
                     "created_at": now})
        approved.append({"id": n + 1, "application_id": application, "subscription_id": n + 1,
                         "applicant_id": (application - 1) // APPLICATIONS_PER_APPLICANT + 1,
                         "organisation_id": organisation_id, "kind": kind, "identifier": identifier})
    put(Subscription, rows)
    put(ApprovedSubscription, approved)


def timed_publish() -> dict:
    """A full publication (`flask whitelist publish --full`: every block rendered from the database), as the first
    publication after migration 0016 or a repair runs it."""
    started, cpu = time.perf_counter(), time.process_time()
    version = publication.publish("bench: 1M approved entries", full=True)
    db.session.commit()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu": time.process_time() - cpu, "serial": version.serial, "entries": version.entry_count,
            "prefixes": version.prefix_count, "sizes": {f.format: f.size for f in version.files},
            "subscriptions": version.subscription_count, "feed_bytes": _feed_bytes(version.serial),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _feed_bytes(serial: int) -> dict[str, int]:
    """The operators' feed bodies of version `serial`, bytes per format (all operators together)."""
    rows = db.session.execute(text("SELECT format, sum(size) FROM subscriber_files WHERE serial = :serial "
                                   "GROUP BY format"), {"serial": serial}).all()
    return {fmt: int(size) for fmt, size in rows}


def phase_breakdown() -> dict:
    """Each step of a full publication again, on its own (nothing stored): where the time goes. Without the cyclic
    garbage collector, as publish() runs."""
    gc.disable()
    phases = {}
    now = utcnow()
    started = time.perf_counter()
    keys = block_store.keys_with_space(now)
    phases["find blocks"] = time.perf_counter() - started
    started = time.perf_counter()
    rows = block_store.read(keys, now)
    phases["read rows"] = time.perf_counter() - started
    started = time.perf_counter()
    rendered = [render_block(block) for block in rows]
    phases["render blocks"] = time.perf_counter() - started
    del rows
    started = time.perf_counter()
    subscribers, holders = feeds.approved_subscriptions(now)
    phases["read subscriptions"] = time.perf_counter() - started
    started = time.perf_counter()
    for organisation_id, found in subscribers.items():
        feed = SubscriberFeed(0, now, str(organisation_id), found, holders, "raasta-vpn")
        for renderer in SUBSCRIBER_RENDERERS.values():
            renderer(feed)
    phases["render feeds"] = time.perf_counter() - started
    metas = [block.meta() for block in rendered]
    lines = b"".join(block.lines for block in rendered)
    offsets = [0, *accumulate(len(block.lines) for block in rendered)]
    facts = VersionFacts(0, now, 1, "0" * 64)
    started = time.perf_counter()
    for fmt in RENDERERS:
        digest = hashlib.sha256()
        for chunk in assemble(fmt, facts, metas, lambda first, last: lines[offsets[first]:offsets[last + 1]],
                              (block.csv_rows for block in rendered), (block.json_items for block in rendered)):
            digest.update(chunk)
    phases["assemble and hash bodies"] = time.perf_counter() - started
    db.session.rollback()
    gc.enable()
    return phases


def compare_aggregation(space, folder: Path) -> dict:
    """The engine as publish() runs it (numpy columns in, CIDR text out), and file in -> file out like
    iprange, against `iprange --optimize` timed as a whole process."""
    v4 = [(start, end, cidr) for version, start, end, cidr in space if version == 4]
    source = folder / "v4.txt"
    source.write_text("".join(f"{cidr}\n" for _, _, cidr in v4))
    columns = RangeColumns(np.array([start for start, _, _ in v4], np.int64),
                           np.array([end for _, end, _ in v4], np.int64), [])
    # This process holds the whole generated space; the collector rescanning it is no part of the work timed.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    engine = aggregate_columns(columns)
    engine_s = time.perf_counter() - started
    started = time.perf_counter()
    with (folder / "v4.engine.txt").open("wb") as out:
        write_aggregate(out, read_columns(source.read_bytes()))
    file_s = time.perf_counter() - started
    gc.unfreeze()
    result = {"lines": len(v4), "engine_s": engine_s, "engine_file_s": file_s, "engine_out": len(engine)}
    iprange = shutil.which("iprange")
    if iprange is None:
        result["iprange"] = "not installed (apt-get install iprange)"
        return result
    started = time.perf_counter()
    with source.open("rb") as stdin, (folder / "v4.iprange.txt").open("wb") as stdout:
        subprocess.run([iprange, "--optimize"], stdin=stdin, stdout=stdout, check=True)
    result["iprange_s"] = time.perf_counter() - started
    # iprange writes a /32 as a bare address; compare in one spelling.
    reference = [line if "/" in line else f"{line}/32" for line in (folder / "v4.iprange.txt").read_text().split()]
    result["identical"] = reference == engine == (folder / "v4.engine.txt").read_text().split()
    return result


# ---- (c) HTTP: the production web server + wrk ------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(command: list[str], env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    """The production web server (or the reference app in it) on a free loopback port."""
    port = free_port()
    process = subprocess.Popen([sys.executable, *command, "--bind", f"127.0.0.1:{port}"], cwd=REPO_ROOT, env=env,
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/no-such-page", timeout=5):
                pass
        except urllib.error.HTTPError:
            return process, base  # a 404 from the app: every process is up
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{' '.join(command)} exited; see {log}")
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{' '.join(command)} did not answer within 60 s; see {log}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def get(url: str, headers: dict) -> tuple[int, dict, bytes]:
    """(status, headers (case-insensitive: waitress spells "Etag"), body)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds used so far by the web server's processes: per request, a figure the other work on
    the machine moves much less than the rates."""
    pids = [server.pid] + [int(pid) for pid in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                             text=True).stdout.split()]
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def wrk(url: str, headers: dict, seconds: int, connections: int, server: subprocess.Popen) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    cpu = server_cpu(server)
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    cpu = server_cpu(server) - cpu
    latency = {p: float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    statuses = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out)[1])
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]), "p50_ms": latency.get("50"),
            "p99_ms": latency.get("99"), "requests": requests, "cpu_us": cpu / max(requests, 1) * 1e6,
            "errors": int(statuses[1]) if statuses else 0, "output": out}


def best_of(rounds: int, runs: dict) -> dict:
    """Alternate the runs `rounds` times; keep each one's best rate (the other helpers' load only slows)."""
    results = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            results[name].append(run())
    return {name: max(found, key=lambda r: r["rate"]) | {"all_rates": [r["rate"] for r in found]}
            for name, found in results.items()}


def http_comparison(env: dict, folder: Path, token: str, options) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    portal, base = start_server(["-m", "app.runtime.web_server"], env, folder / "web-portal.log")
    try:
        for _ in range(16):  # every process: materialise the body in the disk cache, fill the ref caches
            status, headers, body = get(f"{base}/api/v1/whitelist/latest.txt", auth)
            assert status == 200, (status, body[:300])
        etag, serial = headers["ETag"], headers["X-Whitelist-Serial"]
        status, _, _ = get(f"{base}/api/v1/whitelist/latest.txt", {**auth, "If-None-Match": etag})
        assert status == 304, status
        static = folder / "static"
        static.mkdir(exist_ok=True)
        (static / "latest.txt").write_bytes(body)
        reference, ref_base = start_server(
            [str(REPO_ROOT / "bench" / "publication_reference.py")],
            {**env, "BENCH_ETAG": etag, "BENCH_STATIC": str(static)}, folder / "web-reference.log")
        try:
            assert get(f"{ref_base}/static/latest.txt", {})[2] == body
            seconds = options.duration
            not_modified = best_of(options.rounds, {
                "reference": lambda: wrk(f"{ref_base}/api/v1/whitelist/latest.txt", {"If-None-Match": etag},
                                         seconds, CONNECTIONS_304, reference),
                "portal": lambda: wrk(f"{base}/api/v1/whitelist/latest.txt", {**auth, "If-None-Match": etag},
                                      seconds, CONNECTIONS_304, portal),
                "numbered": lambda: wrk(f"{base}/api/v1/whitelist/{serial}.txt", {**auth, "If-None-Match": etag},
                                        seconds, CONNECTIONS_304, portal),
            })
            full = best_of(options.rounds, {
                "reference": lambda: wrk(f"{ref_base}/static/latest.txt", {}, seconds, CONNECTIONS_200, reference),
                "portal": lambda: wrk(f"{base}/api/v1/whitelist/latest.txt", auth, seconds, CONNECTIONS_200, portal),
            })
        finally:
            stop(reference)
    finally:
        stop(portal)
    return {"304": not_modified, "200": full, "body_bytes": len(body)}


# ---- one backend -------------------------------------------------------------------------------------

def run_backend(backend: str, options, space, folder: Path, redis_url: str) -> dict:
    instance = folder / f"instance-{backend}"
    if backend == "postgres":
        database_url = options.postgres
        reset_postgres(database_url)
    else:
        database_url = f"sqlite:///{folder / 'raasta.db'}"
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url, INSTANCE_DIR=instance))
    result = {"backend": backend}
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        result["seed_s"] = seed(space, options.subscriptions)
        print(f"{backend}: seeded {len(space):,} approved entries and {options.subscriptions:,} subscriptions in "
              f"{result['seed_s']:.1f} s", flush=True)
        result["publish"] = timed_publish()
        print(f"{backend}: publish {result['publish']['seconds']:.2f} s", flush=True)
        result["phases"] = phase_breakdown()
        isp = create_user("isp@bench.example.pk", "bench passphrase long enough", role=Role.ISP, name="Bench ISP")
        token = issue_token(isp, "bench")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    if options.duration:
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
               "RAASTA_INSTANCE_DIR": str(instance), "SECRET_KEY": "bench"}
        result["http"] = http_comparison(env, folder, token, options)
    return result


# ---- report ------------------------------------------------------------------------------------------

def machine() -> dict:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")), "?")
    return {"cpus": os.cpu_count(), "model": model, "python": platform.python_version(),
            "date": dt.date.today().isoformat(), "load": os.getloadavg()[0],
            "wrk": (subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
                    if shutil.which("wrk") else "not installed"),
            "iprange": (subprocess.run(["iprange", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
                        if shutil.which("iprange") else "not installed")}


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def report_lines(results: list[dict], aggregation: dict, options, info: dict) -> list[str]:
    lines = [SECTION, "",
             f"`.venv/bin/python bench/bench_publication.py --entries {options.entries} "
             f"--subscriptions {options.subscriptions} --backend {options.backend} "
             f"--duration {options.duration} --rounds {options.rounds}` on {info['cpus']} CPUs ({info['model']}), "
             f"Python {info['python']}, {info['date']}; load average {info['load']:.1f} at the start "
             "(other work shares the CPUs).",
             f"Data: {options.entries:,} approved entries, disjoint and scattered so that few aggregate (95% IPv4 "
             f"/24-/32 each in its own random /24, 5% IPv6 /48-/64 in 2400::/12; seed {SEED}), "
             f"{ENTRIES_PER_APPLICATION} per application, {APPLICATIONS_PER_APPLICANT} applications per applicant, "
             f"one approved prefix per entry; {options.subscriptions:,} approved subscriptions of the same "
             "applications across 6 operators (4 mobile: E.164 numbers; 2 fixed: account ids), spread evenly.", "",
             f"**Publish** = `publication.publish(full=True)` + commit (a full publication, as the first after "
             "migration 0016 or `flask whitelist publish --full`): find every block with approved space, read and "
             f"render each block, store their pieces, assemble {len(RENDERERS)} formats from them (streamed to the "
             "body cache, hashed and signed), read the subscriptions and render each operator's feed "
             f"({', '.join(SUBSCRIBER_RENDERERS)}). An approval's publication renders only its own blocks: see "
             "*Approval and end to end*. "
             f"Target < {PUBLISH_TARGET_S} s.", "",
             "| backend | seed (Core inserts) | **publish** (wall) | its CPU in this process | verdict | entries → prefixes | subscriptions → feeds (all operators) | bodies | peak RSS |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        p = r["publish"]
        sizes = ", ".join(f"{fmt} {size / 1e6:.1f} MB" for fmt, size in p["sizes"].items())
        lines.append(f"| {r['backend']} | {r['seed_s']:.0f} s | **{p['seconds']:.1f} s** | {p['cpu']:.1f} s | "
                     f"{verdict(p['seconds'] < PUBLISH_TARGET_S)} | {p['entries']:,} → {p['prefixes']:,} | "
                     f"{p['subscriptions']:,} → " + ", ".join(f"{fmt} {size / 1e6:.1f} MB"
                                                                for fmt, size in p["feed_bytes"].items())
                     + f" | {sizes} | "
                     f"{p['peak_mb']:.0f} MB |")
    lines += ["", "Phases, each run again on its own after the publish (seconds):", "",
              "| backend | " + " | ".join(results[0]["phases"]) + " |",
              "|---|" + "---|" * len(results[0]["phases"])]
    for r in results:
        lines.append(f"| {r['backend']} | " + " | ".join(f"{s:.2f}" for s in r["phases"].values()) + " |")
    a = aggregation
    lines += ["", f"**Aggregation**, the {a['lines']:,} IPv4 prefixes of the same data (iprange is IPv4-only), same run: "
              f"engine `aggregate_columns()` as publish runs it (numpy columns in, CIDR text out) **{a['engine_s']:.2f} s**, "
              f"file in → file out (`read_columns` + `write_aggregate`) {a['engine_file_s']:.2f} s, "
              f"→ {a['engine_out']:,} CIDRs; {info['iprange']} `--optimize`, a whole process, file in → file out, "]
    if "iprange_s" in a:
        ratio, file_ratio = a["engine_s"] / a["iprange_s"], a["engine_file_s"] / a["iprange_s"]
        lines[-1] += (f"{a['iprange_s']:.2f} s: **{ratio:.2f}× iprange** (file to file {file_ratio:.2f}×) — "
                      f"{verdict(max(ratio, file_ratio) <= AGGREGATE_TARGET)} (≤ {AGGREGATE_TARGET:g}×); "
                      f"outputs identical: {'yes' if a['identical'] else 'NO'}.")
    else:
        lines[-1] += f"{a['iprange']}."
    if any("http" in r for r in results):
        lines += ["", "**HTTP**: the production web server (`python -m app.runtime.web_server`: 2 waitress processes "
                  "x 8 threads, access log on) serving the portal, and the same server serving "
                  f"bench/publication_reference.py; {info['wrk']}, `-t1`, {options.duration} s per run, reference and "
                  f"portal alternated {options.rounds} times, best run of each; p50/p99 from `--latency`; server CPU "
                  "per request from /proc (all the server's processes). 304: `GET /api/v1/whitelist/latest.txt` with a "
                  f"bearer token and a matching If-None-Match ({CONNECTIONS_304} connections) vs the reference's bare "
                  "view returning 304. 200: the same without If-None-Match "
                  f"({CONNECTIONS_200} connections) vs the same bytes as a static file of the reference app.", "",
                  "| backend | case | reference req/s (p50 / p99 ms) | portal req/s (p50 / p99 ms) | portal / reference | verdict (≥ 80%) | server CPU per request (ref / portal) | all runs (ref; portal) |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in results:
            if "http" not in r:
                continue
            for case, which, label in (("304", "portal", "304 `latest.txt`, token + If-None-Match"),
                                       ("304", "numbered", "304 `N.txt` (numbered), token + If-None-Match"),
                                       ("200", "portal", f"200 `latest.txt`, {r['http']['body_bytes'] / 1e6:.1f} MB body")):
                ref, mine = r["http"][case]["reference"], r["http"][case][which]
                share = mine["rate"] / ref["rate"]
                lines.append(
                    f"| {r['backend']} | {label} | {ref['rate']:,.0f} ({ref['p50_ms']:.2f} / {ref['p99_ms']:.2f}) | "
                    f"{mine['rate']:,.0f} ({mine['p50_ms']:.2f} / {mine['p99_ms']:.2f}) | **{share:.0%}** | "
                    f"{verdict(share >= HTTP_TARGET)} | {ref['cpu_us']:.0f} / {mine['cpu_us']:.0f} µs | "
                    f"{', '.join(f'{x:.0f}' for x in ref['all_rates'])}; "
                    f"{', '.join(f'{x:.0f}' for x in mine['all_rates'])} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     epilog="See the module docstring for what is measured and the targets.")
    parser.add_argument("--entries", type=int, default=1_000_000, help="approved entries (default 1,000,000)")
    parser.add_argument("--subscriptions", type=int, default=500_000,
                        help="approved subscriptions across 6 operators (default 500,000)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL URL whose public schema may be dropped (default $BENCH_DATABASE_URL)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run; 0 skips the HTTP part")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of reference and portal per case")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    options = parser.parse_args()
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    if "postgres" in backends and not options.postgres:
        print("no PostgreSQL: set BENCH_DATABASE_URL or --postgres (an empty database); SQLite only", file=sys.stderr)
        backends.remove("postgres")
    if options.duration and not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk): skipping the HTTP part", file=sys.stderr)
        options.duration = 0
    info = machine()
    folder = Path(tempfile.mkdtemp(prefix="bench-publication-"))
    redis_process = embedded_redis.start(folder / "redis.sock")
    try:
        started = time.perf_counter()
        space = approved_space(options.entries)
        print(f"generated {len(space):,} approved prefixes in {time.perf_counter() - started:.1f} s", flush=True)
        aggregation = compare_aggregation(space, folder)
        print(f"aggregation: {aggregation}", flush=True)
        results = [run_backend(b, options, space, folder, embedded_redis.url(folder / "redis.sock"))
                   for b in backends]
    finally:
        redis_process.terminate()
        redis_process.wait(timeout=10)
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept {folder}")
    lines = report_lines(results, aggregation, options, info)
    print("\n".join(lines))
    if not options.no_write:
        write_section(SECTION, lines, NOTES)


if __name__ == "__main__":
    main()
