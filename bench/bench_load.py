"""Issue 25's mixed load: applicants, ISPs and reviewers at once through HAProxy in front of two web hosts, and
(with --faults) a host, a worker, Redis and PostgreSQL killed or restarted under it.

    .venv/bin/python bench/bench_load.py [--duration 60] [--applicants 200] [--isps 50] [--reviewers 5]
                                         [--web-share 0.2] [--faults] [--no-write]

Loopback only. A Cluster (deploy/cluster.py: 2 hosts, 2 workers, HAProxy) on a scratch PostgreSQL database
`bench_load` (created, dropped after) of the machine's PostgreSQL (--database-url) and Redis database 11 on
127.0.0.1:6379 (--redis-url, flushed first). Two workers, not one: /healthz answers 503 on every host when no
worker is registered, so with one worker killed for longer than WORKER_TTL the balancer would take every host
out. With --faults the bench starts its own redis-server and its own PostgreSQL cluster (initdb in a temporary
folder, another port), since restarting the machine's would break the other work on it.

Seeded in this process through the services: the applicants (each a firm profile and a public /24 of its own,
so that none overlaps another), the ISPs (an organisation each), the reviewers, an API token each, one
production-cost password hash for all, and a first published whitelist version. Then for --duration seconds,
through the balancer, by a bounded pool of threads with one keep-alive connection each (bench/load_traffic.py):
- applicants arrive spread over the first half: most through the API with their token (create, upload a small
  PDF, submit, then poll the application every 5 s), --web-share of them through the pages as a browser
  (sign-in with session and CSRF, the new-application form, upload, submit, then poll status.json);
- each ISP polls latest.txt with If-None-Match every second and checks sha256(body) = ETag on each 200;
- each reviewer signs in to the pages, then every 2 s loads the queue page and the API queue, batches up to
  10 ready applications whose id falls to them (maker) and approves the pending batches of the reviewer
  before them (checker): every approval publishes a new version, which the ISPs then download.
Per kind of request: count, rate, p50/p99 latency, errors by status (no answer = 0), 5xx apart; the CPU seconds
of each process (hosts, workers, HAProxy, PostgreSQL's backends for this database, Redis, the bench) from /proc.
Afterwards, checked: every submitted application validated (none still `validating` after a grace period), each
approved batch published exactly once with consecutive serials, every document's bytes match its sha256
(`flask documents verify`), the audit chain verifies (`flask audit verify`), no job left in a queue or the outbox.
Figures go under "## Mixed load (issue 25)" in bench/RESULTS.md (the steady run's part or the faults' part),
unless --no-write.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from load_report import report_lines, write  # noqa: E402
from load_services import (  # noqa: E402
    CpuMeter,
    PrivatePostgres,
    PrivateRedis,
    drop_database,
    postgres_backends,
    recreate_database,
    redis_server,
)
from load_traffic import Applicant, Client, Isp, Pool, Reviewer, WebApplicant  # noqa: E402
from redis import Redis  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from app.addresses import AddressRange  # noqa: E402
from app.addresses.special import reaches_outside_global_unicast, special_blocks_touching  # noqa: E402
from app.choices import Role, State  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Application, Batch, Document, OutboxJob, WhitelistVersion  # noqa: E402
from app.services import passwords  # noqa: E402
from app.services.accounts import create_user  # noqa: E402
from app.services.isp_organisations import create_isp_user  # noqa: E402
from app.services.profiles import ProfileInput, save_profile  # noqa: E402
from app.services.publication import publish as publication  # noqa: E402
from app.services.tokens import issue_token  # noqa: E402
from app.system.instance_keys import signing_key_pem  # noqa: E402
from deploy.cluster import Cluster  # noqa: E402

DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_load"
REDIS_URL = "redis://127.0.0.1:6379/11"
PASSWORD = "load bench passphrase"
SEED = 25
POLL_S, ROUND_S = 5.0, 2.0
# With --faults: a killed worker's registration and a lost job are noticed sooner than the defaults (60 s, and
# VALIDATION_TIMEOUT) would, so the grace period sees them come back; both are ordinary settings.
FAULT_SETTINGS = {"WORKER_TTL": "20", "VALIDATION_STUCK_AFTER": "20", "VALIDATION_LOST_AFTER": "30"}


# ---- seeding -------------------------------------------------------------------------------------------

def blocks(count: int) -> list[str]:
    """`count` public IPv4 /24s, none special-purpose, one per applicant: no two applications overlap."""
    rng, found, seen = random.Random(SEED), [], set()
    while len(found) < count:
        block = rng.randrange(1 << 16, 224 << 16)
        candidate = AddressRange(4, block << 8, (block << 8) | 0xFF)
        if block in seen or special_blocks_touching(candidate) or reaches_outside_global_unicast(candidate):
            continue
        seen.add(block)
        found.append(f"{block >> 16}.{(block >> 8) & 0xFF}.{block & 0xFF}.0/24")
    return found


def seed(database_url: str, redis_url: str, options, folder: Path) -> dict:
    """Migrate, then the people, their tokens and profiles, and a first published version. The test
    configuration's cheap hashes are replaced by one made with the production parameters, so a web sign-in costs
    what it costs in production."""
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                                INSTANCE_DIR=folder / "seed"))
    started = time.monotonic()
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        production_hash = passwords._hashers[passwords.DEFAULT_PROFILE].hash(PASSWORD)
        reviewers = [create_user(f"reviewer{n}@load.example.pk", PASSWORD, role=Role.REVIEWER, name=f"Reviewer {n}")
                     for n in range(options.reviewers)]
        isps = [create_isp_user(f"noc@isp{n}.example.pk", PASSWORD, f"Load ISP {n}", name=f"ISP NOC {n}")
                for n in range(options.isps)]
        applicants = []
        for n in range(options.applicants):
            user = create_user(f"applicant{n}@load.example.pk", PASSWORD, name=f"Applicant {n}")
            save_profile(user, ProfileInput(kind="firm", name=f"Load Firm {n} (Pvt) Ltd", ntn=f"{7_000_000 + n:07d}-1",
                                            city="Karachi", phone="0300-7654321", isp_name="Nayatel",
                                            isp_subscriber_id=f"NT-{100_000 + n}"))
            applicants.append(user)
        for user in reviewers + isps + applicants:
            user.password_hash = production_hash
        people = {"reviewers": [(u.email, issue_token(u, "load")) for u in reviewers],
                  "isps": [issue_token(u, "load") for u in isps],
                  "applicants": [(u.email, issue_token(u, "load")) for u in applicants]}
        db.session.commit()
        version = publication.publish("load bench: the first version", full=True)
        db.session.commit()
        people["first_serial"] = version.serial if version else None
        db.session.remove()
        db.engine.dispose()
    people["seconds"] = time.monotonic() - started
    return people


# ---- the load ------------------------------------------------------------------------------------------

def users(people: dict, options) -> tuple[list, list, list, dict]:
    """The simulated users and the lists they fill: submitted application ids, batches made and approved."""
    shared = {"submitted": [], "made": [], "approved": []}
    entries = blocks(options.applicants)
    web = set(range(0, options.applicants, max(1, round(1 / options.web_share)))) if options.web_share else set()
    applicants = []
    for n, (email, token) in enumerate(people["applicants"]):
        if n in web:
            applicants.append(WebApplicant(n, email, PASSWORD, entries[n], POLL_S, submitted=shared["submitted"]))
        else:
            applicants.append(Applicant(n, token, entries[n], POLL_S, submitted=shared["submitted"]))
    isps = [Isp(token) for token in people["isps"]]
    count = len(people["reviewers"])
    reviewers = [Reviewer(n, count, email, people["reviewers"][(n - 1) % count][0], token, PASSWORD, ROUND_S,
                          approved=shared["approved"], made=shared["made"])
                 for n, (email, token) in enumerate(people["reviewers"])]
    return applicants, isps, reviewers, shared


class Faults:
    """The fault schedule, run in a thread beside the load: each fault's instant (monotonic) and what it was.
    PostgreSQL's restart comes before Redis's: a Redis that comes back empty may leave the portal unhealthy for
    the rest of the run (see the report), which would hide what the database's restart costs."""

    def __init__(self, cluster: Cluster, redis: PrivateRedis | None, postgres: PrivatePostgres | None,
                 duration: float):
        self.cluster, self.redis, self.postgres, self.duration = cluster, redis, postgres, duration
        self.events: list[dict] = []
        self.scheduled = threading.Event()  # every fault done
        # A host or worker started again here dies when the thread that started it ends (cluster.py's children get
        # PR_SET_PDEATHSIG, which follows the creating thread, not the process): this thread waits for the end.
        self.finished = threading.Event()

    def _at(self, start: float, share: float) -> None:
        time.sleep(max(0.0, start + share * self.duration - time.monotonic()))

    def _note(self, name: str, action, back=None, down_s: float = 0.0) -> None:
        instant = time.monotonic()
        action()
        event = {"fault": name, "at": instant}
        if back is not None:
            time.sleep(down_s)
            back()
        self.events.append(event)
        print(f"load: fault at {instant:.1f}: {name}", flush=True)

    def run(self, start: float) -> None:
        cluster = self.cluster
        self._at(start, 0.15)
        self._note("web host 1 killed (SIGKILL), started again 10 s later", lambda: cluster.kill_host(0),
                   lambda: cluster.start_host(0), 10.0)
        self._at(start, 0.40)
        self._note("worker 1 killed (SIGKILL), started again 5 s later", lambda: cluster.kill_worker(0),
                   lambda: cluster.start_worker(0), 5.0)
        if self.postgres is not None:
            self._at(start, 0.55)
            self._note("PostgreSQL restarted (pg_ctl restart -m fast)", self.postgres.restart)
        if self.redis is not None:
            self._at(start, 0.75)
            self._note("Redis killed (SIGKILL) and started again at once, empty (no persistence)", self.redis.kill,
                       self.redis.start, 0.0)
        self.scheduled.set()
        self.finished.wait()


def run_load(cluster: Cluster, people: dict, options, meter: CpuMeter, faults: Faults | None) -> dict:
    applicants, isps, reviewers, shared = users(people, options)
    client = Client(cluster.url)
    rng = random.Random(SEED)
    start = time.monotonic() + 1.0
    pool = Pool(client, options.threads, start + options.duration)
    for n, applicant in enumerate(applicants):  # arrivals spread over the first half
        pool.add(applicant, start + options.duration / 2 * n / max(1, len(applicants)))
    for isp in isps:
        pool.add(isp, start + rng.random())
    for reviewer in reviewers:
        pool.add(reviewer, start + rng.random() * ROUND_S)
    sampler_stop = threading.Event()

    def sample() -> None:
        while not sampler_stop.wait(1.0):
            meter.sample()

    meter.start()
    bench_cpu = time.process_time()
    threads = [threading.Thread(target=sample, daemon=True)]
    if faults is not None:
        threads.append(threading.Thread(target=faults.run, args=(start,), daemon=True))
    for thread in threads:
        thread.start()
    pool.run()
    ended = time.monotonic()
    sampler_stop.set()
    threads[0].join()
    meter.sample()
    if faults is not None:
        faults.scheduled.wait(timeout=120)
    cpu = meter.totals() | {"bench (client)": time.process_time() - bench_cpu}
    return {"samples": client.samples, "checks": client.checks, "lags": pool.lags, "start": start, "end": ended,
            "cpu": cpu, "shared": shared, "faults": faults.events if faults else []}


# ---- afterwards ----------------------------------------------------------------------------------------

def settle(cluster: Cluster, database_url: str, redis_url: str, folder: Path, result: dict, grace: int) -> dict:
    """Wait up to `grace` seconds for validation to finish, then check what the load left."""
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                                INSTANCE_DIR=folder / "seed"))
    submitted = sorted(set(result["shared"]["submitted"]))
    started, found = time.monotonic(), {}
    with app.app_context():
        while True:
            states = dict(db.session.execute(select(Application.state, func.count()).group_by(Application.state)).all())
            waiting = db.session.scalar(select(func.count()).select_from(Application).where(
                Application.id.in_(submitted), Application.state.in_((State.DRAFT, State.VALIDATING)))) if submitted else 0
            if not waiting or time.monotonic() - started > grace:
                break
            db.session.rollback()
            time.sleep(2)
        found["validated_after_s"] = time.monotonic() - started
        found["states"] = states
        found["submitted"], found["not_validated"] = len(submitted), waiting
        found["outbox"] = db.session.scalar(select(func.count()).select_from(OutboxJob))
        batches = db.session.execute(select(Batch.id, Batch.state, Batch.whitelist_serial)).all()
        serials = [s for s, in db.session.execute(select(WhitelistVersion.serial).order_by(WhitelistVersion.serial))]
        published = [b for b in batches if b.state == "published"]
        batch_serials = [b.whitelist_serial for b in published]
        answered = dict(result["shared"]["approved"])
        found["batches"] = {"made": len(batches), "published": len(published),
                            "pending": sum(b.state == "pending_approval" for b in batches)}
        found["versions"] = len(serials)
        found["serials_consecutive"] = serials == list(range(serials[0], serials[0] + len(serials))) if serials else True
        found["one_serial_each"] = (None not in batch_serials and len(set(batch_serials)) == len(batch_serials)
                                    and set(batch_serials) <= set(serials))
        found["answers_match"] = all(dict((b.id, b.whitelist_serial) for b in published).get(i) == s
                                     for i, s in answered.items())
        found["approvals_answered"] = len(answered)
        found["documents"] = db.session.scalar(select(func.count()).select_from(Document))
        db.session.remove()
        db.engine.dispose()
    redis = Redis.from_url(redis_url)
    found["queued_jobs"] = sum(redis.llen(key) for key in redis.scan_iter("rq:queue:*"))
    found["failed_jobs"] = sum(redis.zcard(key) for key in redis.scan_iter("rq:failed:*"))
    for name, argv in (("audit_verify", ["audit", "verify"]), ("documents_verify", ["documents", "verify"])):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *argv], cwd=REPO_ROOT, env=cluster.env,
                              capture_output=True, text=True, timeout=300)
        found[name] = (done.returncode, (done.stdout + done.stderr).strip().splitlines()[-1:] or [""])
    return found


# ---- the whole run -------------------------------------------------------------------------------------

def run(options) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    os.chmod(folder, 0o755)  # the private PostgreSQL's account must reach its folder inside
    redis = postgres = None
    database_url, redis_url = options.database_url, options.redis_url
    try:
        if options.faults:
            redis = PrivateRedis(folder)
            redis.start()
            redis_url = redis.url
            if not options.no_postgres_fault:
                postgres = PrivatePostgres(folder)
                postgres.create()
                database_url = postgres.url
        recreate_database(database_url)
        Redis.from_url(redis_url).flushdb()
        # One signing key for the seed's first version and every host: else the audit checkpoints signed with the
        # seed's key would not verify with the hosts'.
        os.environ["WHITELIST_SIGNING_KEY"] = signing_key_pem(folder / "keys").decode()
        people = seed(database_url, redis_url, options, folder)
        print(f"load: seeded {options.applicants} applicants, {options.isps} ISPs, {options.reviewers} reviewers and "
              f"serial {people['first_serial']} in {people['seconds']:.1f} s", flush=True)
        env = {"WEB_CONCURRENCY": str(options.web_concurrency), "RATELIMIT_SIGN_IN": "100000 per minute"}
        if options.faults:
            env |= FAULT_SETTINGS
        with Cluster(folder / "cluster", hosts=2, workers=2, database_url=database_url, redis_url=redis_url,
                     env=env) as cluster:
            redis_port = urlsplit(redis_url).port or 6379
            groups = {f"host {n + 1}": (lambda m=m: [m.child.process.pid] if m.running else [])
                      for n, m in enumerate(cluster.hosts)}
            groups |= {f"worker {n + 1}": (lambda m=m: [m.child.process.pid] if m.running else [])
                       for n, m in enumerate(cluster.workers)}
            groups["HAProxy"] = lambda: [cluster.balancer.process.pid]
            groups["PostgreSQL"] = postgres.pids if postgres else postgres_backends(make_url(database_url).database)
            groups["Redis"] = redis.pids if redis else redis_server(redis_port)
            meter = CpuMeter(groups, whole_groups={g for g in groups if g.startswith(("host", "worker", "HAProxy"))})
            faults = Faults(cluster, redis, postgres, options.duration) if options.faults else None
            result = run_load(cluster, people, options, meter, faults)
            print(f"load: {len(result['samples'])} requests in {result['end'] - result['start']:.0f} s; settling",
                  flush=True)
            try:
                result["healthy_after_s"] = cluster.wait_healthy(timeout=120)
            except TimeoutError as exc:  # reported; the checks read the database, not the hosts
                result["healthy_after_s"] = str(exc).split("; see")[0]
            result["after"] = settle(cluster, database_url, redis_url, folder, result, options.grace)
            result["balancer"] = cluster.balancer_view()
            if faults is not None:
                faults.finished.set()
        result["seed_s"] = people["seconds"]
        return result
    finally:
        try:
            drop_database(database_url)
        except Exception as exc:  # the report still comes; the scratch database is named in the warning
            print(f"load: could not drop {make_url(database_url).database}: {exc}", flush=True)
        if postgres is not None:
            postgres.stop()
        if redis is not None:
            redis.kill()
        else:
            Redis.from_url(redis_url).flushdb()
        if options.keep:
            print(f"load: kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     epilog="See the module docstring for what is measured and the targets.")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--isps", type=int, default=50)
    parser.add_argument("--reviewers", type=int, default=5, help="at least 2: a batch's checker is not its maker")
    parser.add_argument("--web-share", type=float, default=0.2, help="share of applicants using the pages (0.2)")
    parser.add_argument("--threads", type=int, default=48, help="the client's pool of threads (default 48)")
    parser.add_argument("--web-concurrency", type=int, default=2, help="processes per web host (default 2)")
    parser.add_argument("--faults", action="store_true", help="kill and restart a host, a worker, Redis and "
                        "PostgreSQL during the load (private Redis and PostgreSQL)")
    parser.add_argument("--no-postgres-fault", action="store_true", help="with --faults: keep the machine's "
                        "PostgreSQL (no private cluster, no PostgreSQL restart)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_LOAD_DATABASE_URL") or DATABASE_URL,
                        help=f"a database the bench may drop and create (default {DATABASE_URL})")
    parser.add_argument("--redis-url", default=REDIS_URL, help=f"flushed first and after (default {REDIS_URL})")
    parser.add_argument("--grace", type=int, default=240, help="seconds after the load for every submitted "
                        "application to be validated (default 240)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    options = parser.parse_args(argv)
    if options.reviewers < 2:
        parser.error("--reviewers must be at least 2: the maker of a batch may not approve it")
    load_start = os.getloadavg()[0]
    result = run(options)
    lines = report_lines(result, options, argv if argv is not None else sys.argv[1:], load_start)
    print("\n".join(lines))
    if not options.no_write:
        write(lines, faults=options.faults)
    return 0


if __name__ == "__main__":
    sys.exit(main())
