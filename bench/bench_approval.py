"""Issue 24's publication targets: small-batch approval, publication memory, and submit to webhook, at 1M entries.

    .venv/bin/python bench/bench_approval.py [--entries N] [--subscriptions N] [--backend sqlite|postgres|both]
                                             [--approvals 20] [--batch 10] [--rounds 3] [--no-write]

Per backend (SQLite file in a temporary folder with an embedded Redis; PostgreSQL at --postgres, default
$BENCH_DATABASE_URL or the bench_approval database, whose public schema is dropped, with Redis at
--postgres-redis), --entries approved entries (default 1,000,000) and --subscriptions approved subscriptions
(default 0) are seeded by bench_publication's `approved_space()` and `seed()`, and a first version is
published. Beside them, ready applications (1-4 entries each, every entry in its own public /24 that no
approved entry uses, with a decision due time, as validation leaves them) are inserted with Core inserts.
Then, against the production web server (`python -m app.runtime.web_server`, its defaults) and a real
worker (`python worker.py`), started as `make run` starts them, with an ISP's webhook pointing at a
receiver in this process (WEBHOOK_ALLOW_PRIVATE_HOSTS=1):
1. Small-batch approval: --approvals rounds of a maker's `POST /api/v1/batches` of --batch ready
   applications and another reviewer's `POST /api/v1/batches/{id}/approve`; the approve request's wall time
   is the figure (targets p50 < 2 s, p99 < 4 s), with the web server's CPU seconds meanwhile (the machine is
   shared: CPU moves less with the load than wall time). Right after each answer every format of the returned serial
   and its `.sig` are fetched as an ISP, sha256(body) checked against the ETag and the Ed25519 signature
   against `GET /api/v1/signing-key`: timed apart.
2. Publication peak memory: one batch created and approved through the service (`create_batch`,
   `approve_batch`, a commit each, as the API handler does) in a process of its own; its peak RSS is the
   VmHWM it reads itself at the end (not `os.wait4`'s ru_maxrss, which keeps the bench's own at the fork).
   Target < 400 MB. With it, the web server's and the worker's VmHWM.
3. End to end: an applicant with a profile creates a clean application through the API, uploads its NTN
   certificate and submits; the bench polls it every 50 ms until `ready`, then batches it (maker) and
   approves it (checker), and waits for the webhook POST carrying that serial. Target < 10 s in total.
   One untimed warm-up round first (the worker's first validation builds its overlap index of the
   whole national register), then --rounds timed rounds.
Figures go under "## Approval and end to end (issue 24)" in bench/RESULTS.md (unless --no-write), keeping
the section's "### Where the time goes" notes.
"""
import argparse
import base64
import hashlib
import http.server
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

import numpy as np  # noqa: E402
from bench_audit import reset_postgres  # noqa: E402
from bench_publication import (  # noqa: E402
    approved_space,
    machine,
    seed,
    server_cpu,
    start_server,
    stop,
    verdict,
)
from cryptography.hazmat.primitives.serialization import load_pem_public_key  # noqa: E402
from results_file import write_section  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.addresses import AddressRange  # noqa: E402
from app.addresses.special import (  # noqa: E402
    reaches_outside_global_unicast,
    special_blocks_touching,
)
from app.choices import Role, State, WhitelistFormat  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import AddressEntry, ApplicantProfile, Application, User  # noqa: E402
from app.models.types import utcnow  # noqa: E402
from app.runtime import embedded_redis  # noqa: E402
from app.services.accounts import create_user  # noqa: E402
from app.services.isp_organisations import create_isp_user  # noqa: E402
from app.services.publication import publish as publication  # noqa: E402
from app.services.tokens import issue_token  # noqa: E402

SECTION = "## Approval and end to end (issue 24)"
NOTES = "### Where the time goes"  # hand-written analysis inside the section, kept when figures are rewritten
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_approval"
POSTGRES_REDIS = "redis://127.0.0.1:6379/7"
SEED = 20241224
P50_TARGET_S, P99_TARGET_S, MEMORY_TARGET_MB, END_TO_END_TARGET_S = 2.0, 4.0, 400, 10.0
READY_LENGTHS = (24, 26, 28, 29, 30, 32)  # each ready entry: a prefix of its own unused /24
POLL_S = 0.05
PASSWORD = "bench passphrase long enough"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # tests/applicant/conftest.py's valid document
PROFILE = {"kind": "firm", "name": "Bench Clean Lane (Pvt) Ltd", "ntn": "7654321-0", "city": "Karachi",
           "phone": "0300-7654321", "isp_name": "Nayatel", "isp_subscriber_id": "NT-424242"}


# ---- seeding: the free public /24s, ready applications, the people ------------------------------------

def unused_blocks(space, count: int) -> list[int]:
    """Starts of `count` public IPv4 /24s that no approved entry touches, none special-purpose."""
    used = {start >> 8 for version, start, _, _ in space if version == 4}
    rng = np.random.default_rng(SEED)
    found = []
    for block in rng.choice(np.arange(1 << 16, 224 << 16, dtype=np.int64), size=count * 4 + 64, replace=False):
        block = int(block)
        candidate = AddressRange(4, block << 8, (block << 8) | 0xFF)
        if block in used or special_blocks_touching(candidate) or reaches_outside_global_unicast(candidate):
            continue
        found.append(block << 8)
        if len(found) == count:
            return found
    raise RuntimeError(f"found only {len(found)} unused /24s of {count}")


def entry_texts(blocks: list[int], rng) -> list[str]:
    """One prefix inside each /24, as an applicant would type it."""
    texts = []
    for block in blocks:
        length = int(rng.choice(READY_LENGTHS))
        offset = (int(rng.integers(0, 256)) >> (32 - length)) << (32 - length)
        texts.append(AddressRange.from_cidr(4, block + offset, length).cidrs[0])
    return texts


def seed_ready(groups: int, size: int, blocks: list[int], rng) -> list[list[int]]:
    """`groups` x `size` ready applications, each of its own new applicant (a firm profile), 1-4 entries each, as
    validation leaves them: submitted, validated, a decision due 8 hours on, no finding. Core inserts, one
    transaction; returns the application ids, a list per batch."""
    now = utcnow()
    with db.engine.begin() as connection:
        def next_id(model):
            return (connection.execute(select(func.max(model.id))).scalar() or 0) + 1

        user, profile, application, entry = (next_id(m) for m in (User, ApplicantProfile, Application, AddressEntry))
        users, profiles, applications, entries, ids = [], [], [], [], []
        free = iter(blocks)
        for n in range(groups * size):
            users.append({"id": user + n, "email": f"ready{user + n}@bench.example.pk", "name": f"Ready {n}",
                          "password_hash": "!bench", "role": Role.APPLICANT})
            profiles.append({"id": profile + n, "user_id": user + n, "kind": "firm", "name": f"Ready Firm {n}",
                             "ntn": f"{8_000_000 + n:07d}-2", "city": "Islamabad"})
            applications.append({"id": application + n, "applicant_id": user + n, "purpose": "bench: ready",
                                 "category": "company_vpn", "state": State.READY, "submitted_at": now,
                                 "validated_at": now, "decision_due_at": now + timedelta(hours=8)})
            for position, cidr in enumerate(entry_texts([next(free) for _ in range(int(rng.integers(1, 5)))], rng)):
                prefix = AddressRange.from_cidr(4, *_network(cidr))
                entries.append({"id": entry + len(entries), "application_id": application + n, "position": position,
                                "input": cidr, "version": 4, "start": prefix.start, "end": prefix.end,
                                "cidrs": [cidr], "size_class": (prefix.end - prefix.start).bit_length()})
            ids.append(application + n)
        for model, rows in ((User, users), (ApplicantProfile, profiles), (Application, applications),
                            (AddressEntry, entries)):
            connection.execute(insert(model.__table__), rows)
        if connection.dialect.name == "postgresql":
            for table in ("users", "applicant_profiles", "applications", "address_entries"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _network(cidr: str) -> tuple[int, int]:
    address, length = cidr.split("/")
    return int.from_bytes(bytes(map(int, address.split("."))), "big"), int(length)


def seed_people() -> dict:
    """Two reviewers (maker, checker), an ISP account in its own organisation, an applicant: ids and tokens."""
    maker = create_user("maker@bench.example.pk", PASSWORD, role=Role.REVIEWER, name="Bench Maker")
    checker = create_user("checker@bench.example.pk", PASSWORD, role=Role.REVIEWER, name="Bench Checker")
    isp = create_isp_user("isp@bench.example.pk", PASSWORD, "Bench Webhook ISP", name="Bench ISP")
    applicant = create_user("applicant@bench.example.pk", PASSWORD, role=Role.APPLICANT, name="Bench Applicant")
    people = {"maker_id": maker.id, "checker_id": checker.id}
    people |= {name: issue_token(user, "bench") for name, user in
               (("maker", maker), ("checker", checker), ("isp", isp), ("applicant", applicant))}
    db.session.commit()
    return people


# ---- HTTP: the API as a client sees it, and the webhook receiver ----------------------------------------

def call(method: str, url: str, token: str, body=None, files: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one API request; `body` JSON, or multipart form fields with `files`."""
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if files is not None:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in (body or {}).items()]
        for name, (filename, content, media_type) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {media_type}\r\n\r\n".encode() + content + b"\r\n")
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def api(method: str, url: str, token: str, expect: int, body=None, files=None) -> dict:
    status, _, answer = call(method, url, token, body, files)
    if status != expect:
        raise RuntimeError(f"{method} {url}: {status}, expected {expect}: {answer[:2000].decode(errors='replace')}")
    return json.loads(answer)


class WebhookReceiver:
    """A tiny HTTP server on 127.0.0.1: the monotonic arrival time of each notice, by serial."""

    def __init__(self):
        self.arrivals, self.bodies, self.arrived = {}, {}, threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                at = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(204)
                self.end_headers()
                serial = json.loads(body)["serial"]
                with receiver.arrived:
                    receiver.arrivals.setdefault(serial, at)
                    receiver.bodies[serial] = (body, self.headers.get("X-Raasta-Signature", ""))
                    receiver.arrived.notify_all()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/raasta-webhook"
        threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True).start()

    def wait_for(self, serial: int, timeout: float = 300) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: serial in self.arrivals, timeout):
                raise RuntimeError(f"no webhook for serial {serial} within {timeout:.0f} s")
            return self.arrivals[serial]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Portal:
    """The web server and one worker, started as app/runtime/launcher.py starts them, on one database."""

    def __init__(self, env: dict, folder: Path):
        self.web, self.base = start_server(["-m", "app.runtime.web_server"], env, folder / "web.log")
        env["PUBLIC_URL"] = self.base  # as the launcher sets it: the webhook notices' links
        self.worker = subprocess.Popen([sys.executable, "worker.py"], cwd=REPO_ROOT, env=env,
                                       stdout=(folder / "worker.log").open("ab"), stderr=subprocess.STDOUT)

    def peaks_mb(self) -> dict[str, list[float]]:
        """VmHWM of each web server process (the parent and its children) and of the worker."""
        children = subprocess.run(["pgrep", "-P", str(self.web.pid)], capture_output=True, text=True).stdout.split()
        return {"web": [_vm_hwm_mb(pid) for pid in [self.web.pid, *map(int, children)]],
                "worker": [_vm_hwm_mb(self.worker.pid)]}

    def close(self) -> None:
        stop(self.web)
        stop(self.worker)


def _vm_hwm_mb(pid: int, field: str = "VmHWM") -> float:
    """A process's peak resident set (or, with field="VmRSS", its resident set now), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split(f"{field}:")[1].split()[0]) / 1024


def _vm_rss_mb(pid: int) -> float:
    return _vm_hwm_mb(pid, "VmRSS")


# ---- 1. small-batch approval, and fetching what it published ------------------------------------------

def approve(portal: "Portal", people: dict, application_ids: list[int]) -> tuple[float, int, float]:
    """The maker batches, the checker approves: (the approve request's wall time, the serial it answered, the CPU
    seconds the web server's processes used meanwhile: a figure the other work on the machine moves less)."""
    batch = api("POST", f"{portal.base}/api/v1/batches", people["maker"], 201, {"application_ids": application_ids})
    cpu, started = server_cpu(portal.web), time.perf_counter()
    answer = api("POST", f"{portal.base}/api/v1/batches/{batch['id']}/approve", people["checker"], 200)
    seconds, cpu = time.perf_counter() - started, server_cpu(portal.web) - cpu
    if answer.get("state") != "published":
        raise RuntimeError(f"batch {batch['id']}: {answer}")
    return seconds, answer["whitelist_serial"], cpu


def fetch_all(base: str, token: str, serial: int, public_key) -> tuple[float, int]:
    """Every format of version `serial` and its .sig, each body checked against its ETag and signature:
    (seconds, bytes)."""
    started, size = time.perf_counter(), 0
    for fmt in WhitelistFormat.ALL:
        status, headers, body = call("GET", f"{base}/api/v1/whitelist/{serial}.{fmt}", token)
        sig_status, _, signature = call("GET", f"{base}/api/v1/whitelist/{serial}.{fmt}.sig", token)
        if status != 200 or sig_status != 200:
            raise RuntimeError(f"serial {serial} {fmt}: {status}, .sig {sig_status}")
        if headers["ETag"].strip('"') != hashlib.sha256(body).hexdigest():
            raise RuntimeError(f"serial {serial} {fmt}: ETag {headers['ETag']} is not the body's sha256")
        if headers["X-Whitelist-Serial"] != str(serial):
            raise RuntimeError(f"serial {serial} {fmt}: X-Whitelist-Serial {headers['X-Whitelist-Serial']}")
        public_key.verify(signature, body)  # raises InvalidSignature
        size += len(body)
    return time.perf_counter() - started, size


def small_batches(portal: "Portal", people: dict, groups: list[list[int]], public_key) -> list[dict]:
    runs = []
    for n, group in enumerate(groups, 1):
        seconds, serial, cpu = approve(portal, people, group)
        fetch_s, size = fetch_all(portal.base, people["isp"], serial, public_key)
        runs.append({"approve_s": seconds, "serial": serial, "cpu_s": cpu, "fetch_s": fetch_s, "bytes": size})
        print(f"  approval {n}/{len(groups)}: {seconds:.2f} s ({cpu:.2f} s web server CPU) -> serial {serial}; "
              "all formats fetched and "
              f"checked in {fetch_s:.2f} s ({size / 1e6:.0f} MB)", flush=True)
    return runs


# ---- 2. publication's peak memory, in a process of its own ---------------------------------------------

def probe(arguments: dict) -> None:
    """In the probe process: create and approve one batch through the service, as the API handler does."""
    from app.services.review import batches
    from app.transactions import committed

    app = create_app()  # the production configuration, from the environment, as the web server builds it
    with app.app_context():
        maker, checker = db.session.get(User, arguments["maker_id"]), db.session.get(User, arguments["checker_id"])
        before_mb = _vm_rss_mb(os.getpid())
        started = time.perf_counter()
        with committed():
            batch = batches.create_batch(arguments["application_ids"], maker)
        with committed():
            batch = batches.approve_batch(batch, checker)
        seconds = time.perf_counter() - started
        print(json.dumps({"serial": batch.whitelist_serial, "seconds": seconds, "before_mb": before_mb,
                          "vm_hwm_mb": _vm_hwm_mb(os.getpid())}), flush=True)


def publication_memory(env: dict, people: dict, application_ids: list[int], folder: Path) -> dict:
    arguments = json.dumps({"maker_id": people["maker_id"], "checker_id": people["checker_id"],
                            "application_ids": application_ids})
    out = folder / "probe.out"
    with out.open("wb") as stdout, (folder / "probe.log").open("ab") as stderr:
        process = subprocess.Popen([sys.executable, __file__, "--probe", arguments], cwd=REPO_ROOT, env=env,
                                   stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the publication probe exited with {process.returncode}; see {folder / 'probe.log'}")
    # The probe's own VmHWM: ru_maxrss from wait4 would also count the bench's resident set at the fork (Linux
    # keeps the high-water mark across fork and exec), which holds the generated million prefixes.
    found = json.loads(out.read_text().strip().splitlines()[-1])
    return found | {"max_rss_mb": found["vm_hwm_mb"], "ru_maxrss_mb": usage.ru_maxrss / 1024}


# ---- 3. end to end: submit -> ready -> batch + approve -> webhook ----------------------------------------

def end_to_end(portal: "Portal", people: dict, entries: list[str], receiver: WebhookReceiver, number: int,
               public_key) -> dict:
    applicant, base = people["applicant"], portal.base
    created = api("POST", f"{base}/api/v1/applications", applicant, 201, {
        "purpose": "Office VPN to our client in Germany", "category": "company_vpn", "entries": entries,
        "endpoints": [{"host": "vpn.cleanlane.example.pk", "protocol": "wireguard", "port": 51820}]})
    url = f"{base}/api/v1/applications/{created['id']}"
    document = PDF + f"% bench round {number} {uuid.uuid4().hex}\n".encode()  # a file no one else uploaded
    api("POST", f"{url}/documents", applicant, 201, {"kind": "ntn_certificate"},
        files={"file": (f"ntn-{number}.pdf", document, "application/pdf")})
    submitted = time.monotonic()
    api("POST", f"{url}/submit", applicant, 202)
    while True:
        body = api("GET", url, applicant, 200)
        if body["state"] not in (State.DRAFT, State.VALIDATING):
            break
        if time.monotonic() - submitted > 300:
            raise RuntimeError(f"application {created['id']} still {body['state']} after 300 s")
        time.sleep(POLL_S)
    ready = time.monotonic()
    if body["state"] != State.READY:
        findings = body["findings"] + [f for e in body["entries"] for f in e["findings"]]
        raise RuntimeError(f"application {created['id']} came back {body['state']}: {json.dumps(findings, indent=1)}")
    _, serial, _ = approve(portal, people, [created["id"]])
    answered = time.monotonic()
    delivered = receiver.wait_for(serial)
    notice, signature = receiver.bodies[serial]
    public_key.verify(base64.b64decode(signature), notice)  # X-Raasta-Signature, with the lists' key
    return {"serial": serial, "submit_ready": ready - submitted, "ready_answer": answered - ready,
            "answer_webhook": delivered - answered, "total": delivered - submitted}


# ---- one backend ---------------------------------------------------------------------------------------

def run_backend(backend: str, options, space, folder: Path) -> dict:
    instance = folder / f"instance-{backend}"
    if backend == "postgres":
        database_url, redis_url = options.postgres, options.postgres_redis
        reset_postgres(database_url)
        subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=True, capture_output=True)
    else:
        database_url, redis_url = f"sqlite:///{folder / 'raasta.db'}", embedded_redis.url(folder / "redis.sock")
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url, INSTANCE_DIR=instance))
    rng = np.random.default_rng(SEED)
    rounds = options.rounds + 1  # and a warm-up
    blocks = unused_blocks(space, 4 * (options.approvals + 1) * options.batch + rounds * 4)
    result = {"backend": backend}
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        result["seed_s"] = seed(space, options.subscriptions)
        groups = seed_ready(options.approvals + 1, options.batch, blocks[:-rounds * 4], rng)
        clean = [entry_texts(blocks[-rounds * 4:][n * 4:n * 4 + int(rng.integers(1, 5))], rng) for n in range(rounds)]
        people = seed_people()
        started = time.perf_counter()
        publication.publish("bench: approved space seeded", full=True)  # seeded by Core inserts: nothing marked
        db.session.commit()
        result["first_publish_s"] = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    print(f"{backend}: seeded {len(space):,} approved entries, {options.subscriptions:,} subscriptions and "
          f"{sum(map(len, groups)):,} ready applications in {result['seed_s']:.0f} s; first version published in "
          f"{result['first_publish_s']:.1f} s", flush=True)
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "RAASTA_INSTANCE_DIR": str(instance),
           "SECRET_KEY": "bench", "WEBHOOK_ALLOW_PRIVATE_HOSTS": "1"}
    receiver = WebhookReceiver()
    portal = Portal(env, folder)
    try:
        base = portal.base
        api("PUT", f"{base}/api/v1/profile", people["applicant"], 200, PROFILE)
        api("PUT", f"{base}/api/v1/isp/webhook", people["isp"], 200, {"url": receiver.url})
        public_key = load_pem_public_key(call("GET", f"{base}/api/v1/signing-key", people["isp"])[2])
        warm_up = end_to_end(portal, people, clean[0], receiver, 0, public_key)
        print(f"{backend}: warm-up end to end {warm_up['total']:.1f} s", flush=True)
        result["warm_up"] = warm_up
        result["approvals"] = small_batches(portal, people, groups[:-1], public_key)
        result["end_to_end"] = []
        for n in range(1, rounds):
            result["end_to_end"].append(end_to_end(portal, people, clean[n], receiver, n, public_key))
            print(f"{backend}: end to end round {n}: " + ", ".join(
                f"{k} {v:.2f} s" if isinstance(v, float) else f"{k} {v}" for k, v in result["end_to_end"][-1].items()),
                flush=True)
        result["peaks"] = portal.peaks_mb()
    finally:
        portal.close()
        receiver.close()
    result["memory"] = publication_memory(env, people, groups[-1], folder)
    print(f"{backend}: publication in its own process: peak RSS {result['memory']['max_rss_mb']:.0f} MB", flush=True)
    return result


# ---- report --------------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    """Nearest rank: with 20 values the 99th percentile is the largest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def report_lines(results: list[dict], options, info: dict) -> list[str]:
    n = options.approvals
    lines = [SECTION, "",
             f"`.venv/bin/python bench/bench_approval.py --entries {options.entries} --subscriptions "
             f"{options.subscriptions} --backend {options.backend} --approvals {n} --batch {options.batch} "
             f"--rounds {options.rounds}` on {info['cpus']} CPUs ({info['model']}), Python {info['python']}, "
             f"{info['date']}; load average {info['load']:.1f} at the start, {info['load_end']:.1f} at the end (the "
             "machine's other work, if any, shares the CPUs).",
             f"Data: {options.entries:,} approved entries seeded by bench_publication (`approved_space()`, `seed()`), "
             f"**{options.subscriptions:,} approved subscriptions**, a first version published; ready applications "
             "of 1-4 IPv4 entries each (each entry in its own public /24 no approved entry uses), one new applicant "
             "each, inserted as validation leaves them. The production web server (2 waitress processes x 8 threads) "
             "and one `worker.py`, as `make run` starts them; an ISP's webhook at a receiver in the bench.", "",
             f"**Small-batch approval**: {n} rounds of `POST /api/v1/batches` ({options.batch} ready applications, "
             "maker's token) then `POST /api/v1/batches/{id}/approve` (another reviewer's token); the figure is the "
             f"approve request's wall time. p99 is the nearest rank: with {n} samples, the largest. Web server CPU = "
             "user + system seconds of all its processes (from /proc) during the approve request: the machine's other "
             "work moves it less than the wall time. Fetch = every "
             f"format ({len(WhitelistFormat.ALL)}) of the answered serial and its `.sig`, right after the answer, as "
             "the ISP, each body's sha256 checked against its ETag and its Ed25519 signature against "
             "`GET /api/v1/signing-key`.", "",
             "| backend | approve p50 | approve p99 (max) | verdict p50 < 2 s | verdict p99 < 4 s | approve min | "
             "web server CPU per approve, p50 / max | fetch all formats + .sig, p50 / max | bodies per version | "
             "checks | first publish (seed) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        times = [a["approve_s"] for a in r["approvals"]]
        fetch, cpu = [a["fetch_s"] for a in r["approvals"]], [a["cpu_s"] for a in r["approvals"]]
        p50, p99 = statistics.median(times), percentile(times, 0.99)
        lines.append(f"| {r['backend']} | **{p50:.2f} s** | **{p99:.2f} s** | {verdict(p50 < P50_TARGET_S)} | "
                     f"{verdict(p99 < P99_TARGET_S)} | {min(times):.2f} s | {statistics.median(cpu):.2f} / "
                     f"{max(cpu):.2f} s | {statistics.median(fetch):.2f} / "
                     f"{max(fetch):.2f} s | {r['approvals'][-1]['bytes'] / 1e6:.0f} MB | all {n} versions: sha256 = "
                     f"ETag, signature valid | {r['first_publish_s']:.1f} s |")
    lines += ["", "**Publication peak memory**: one batch of "
              f"{options.batch} ready applications created and approved through the service (`create_batch`, "
              "`approve_batch`, a commit each, as the API handler does) in a process of its own, with the production "
              "configuration; peak RSS = its own VmHWM at the end (`os.wait4`'s ru_maxrss would include the bench's "
              "resident set at the fork, which Linux keeps across exec). Beside it, VmHWM of the web server's "
              "processes (the parent, then each serving process) and of the worker after the approvals and end-to-end rounds.",
              "", "| backend | publishing process peak RSS | verdict < 400 MB | its RSS before the batch | "
              "its create + approve | web server VmHWM (parent; serving processes) | worker VmHWM |",
              "|---|---|---|---|---|---|---|"]
    for r in results:
        m, web = r["memory"], r["peaks"]["web"]
        lines.append(f"| {r['backend']} | **{m['max_rss_mb']:.0f} MB** | {verdict(m['max_rss_mb'] < MEMORY_TARGET_MB)} "
                     f"| {m['before_mb']:.0f} MB | {m['seconds']:.1f} s | "
                     f"{web[0]:.0f}; {', '.join(f'{x:.0f}' for x in web[1:])} MB | "
                     f"{r['peaks']['worker'][0]:.0f} MB |")
    lines += ["", "**End to end**: an applicant with a profile creates a clean application (1-4 public IPv4 entries, "
              "an endpoint) through the API, uploads its NTN certificate and submits; the bench polls "
              f"`GET /api/v1/applications/{{id}}` every {POLL_S * 1000:.0f} ms until `ready`, then the maker batches "
              "it and the checker approves it at once, and the bench waits for the webhook POST carrying that serial "
              "(its X-Raasta-Signature checked). "
              "After one untimed warm-up round (the worker's first validation loads its overlap index of the "
              "national register), each round and the median; target < 10 s.", "",
              "| backend | round | submit → ready | ready → approved answer | answer → webhook | **total** | "
              "verdict < 10 s |", "|---|---|---|---|---|---|---|"]
    for r in results:
        w = r["warm_up"]
        lines.append(f"| {r['backend']} | warm-up (untimed) | {w['submit_ready']:.2f} s | {w['ready_answer']:.2f} s | "
                     f"{w['answer_webhook']:.2f} s | {w['total']:.2f} s | |")
        for n, e in enumerate(r["end_to_end"], 1):
            lines.append(f"| {r['backend']} | {n} | {e['submit_ready']:.2f} s | {e['ready_answer']:.2f} s | "
                         f"{e['answer_webhook']:.2f} s | {e['total']:.2f} s | "
                         f"{verdict(e['total'] < END_TO_END_TARGET_S)} |")
        median = {k: statistics.median(e[k] for e in r["end_to_end"])
                  for k in ("submit_ready", "ready_answer", "answer_webhook", "total")}
        lines.append(f"| {r['backend']} | **median** | {median['submit_ready']:.2f} s | "
                     f"{median['ready_answer']:.2f} s | {median['answer_webhook']:.2f} s | "
                     f"**{median['total']:.2f} s** | {verdict(median['total'] < END_TO_END_TARGET_S)} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     epilog="See the module docstring for what is measured and the targets.")
    parser.add_argument("--entries", type=int, default=1_000_000, help="approved entries (default 1,000,000)")
    parser.add_argument("--subscriptions", type=int, default=0, help="approved subscriptions (default 0)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL") or POSTGRES_URL,
                        help=f"PostgreSQL URL whose public schema may be dropped (default $BENCH_DATABASE_URL, "
                             f"else {POSTGRES_URL})")
    parser.add_argument("--postgres-redis", default=POSTGRES_REDIS,
                        help=f"Redis for the PostgreSQL run, flushed first (default {POSTGRES_REDIS})")
    parser.add_argument("--approvals", type=int, default=20, help="small-batch approvals (default 20)")
    parser.add_argument("--batch", type=int, default=10, help="ready applications per batch (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="timed end-to-end rounds (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    parser.add_argument("--probe", help=argparse.SUPPRESS)  # the publication-memory process (JSON arguments)
    options = parser.parse_args()
    if options.probe:
        probe(json.loads(options.probe))
        return
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    info = machine()
    folder = Path(tempfile.mkdtemp(prefix="bench-approval-"))
    redis_process = embedded_redis.start(folder / "redis.sock")
    try:
        space = approved_space(options.entries)
        results = [run_backend(backend, options, space, folder) for backend in backends]
        info["load_end"] = os.getloadavg()[0]
    finally:
        redis_process.terminate()
        redis_process.wait(timeout=10)
        if options.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    lines = report_lines(results, options, info)
    print("\n".join(lines))
    if not options.no_write:
        write_section(SECTION, lines, NOTES)


if __name__ == "__main__":
    main()
