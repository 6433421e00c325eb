"""Reviewer desk at national scale: the filtered queue, the search by address, and a 10,000-application batch.

    .venv/bin/python bench/bench_review.py [--scale 1.0] [--batch 10000] [--backend sqlite|postgres|both]
                                           [--postgres-url URL] [--redis-url URL] [--no-write]

Targets (issue 9), with 500,000 applications (about 1.5 M entries) in PostgreSQL, on 2 CPUs:
- the filtered queue page, any filter, any page, under 300 ms (the HTML page; here the service
  review_queue.queue_page() plus the counts the page shows, and the API GET /api/v1/review/queue; the
  HTML is timed too when the /review/ page answers);
- the search by address under 100 ms;
- a batch of 10,000 applications (about 30,000 entries) approved, committed and its whitelist
  version published under 15 s;
- the same on SQLite, reported beside it.
--scale multiplies the 500,000 applications (0.1: 50,000); the batch stays --batch applications.
Per backend: a fresh schema by the migrations (PostgreSQL: the --postgres-url database's public
schema is dropped first; SQLite in a temporary folder with an embedded Redis), rows seeded in bulk
by bench/review_data.py, a first whitelist version published, then the timings. Each queue figure is
the median of 5 runs after one warm-up, for page 1 and for a page from the middle of the result (by
cursor). Figures go under "## Reviewer desk" in bench/RESULTS.md unless --no-write.
"""
import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from redis import Redis  # noqa: E402
from review_data import generate, seed  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.choices import State  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Application, User  # noqa: E402
from app.runtime import embedded_redis  # noqa: E402
from app.services.publication.publish import publish  # noqa: E402
from app.services.review import approved_space, batches, stats  # noqa: E402
from app.services.review import queue as review_queue  # noqa: E402
from app.services.review.queue import QueueFilter, encode_cursor  # noqa: E402
from app.services.tokens import issue_token  # noqa: E402

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/raasta_bench"
POSTGRES_REDIS = "redis://127.0.0.1:6379/5"
FULL_SIZE = 500_000
RUNS = 5
QUEUE_TARGET_MS, ADDRESS_TARGET_MS, BATCH_TARGET_S = 300, 100, 15
RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
NOTES = """Where the time goes, and what was changed to get there:
- The queue pages walk `ix_applications_queue (submitted_at, id)` (a full sort of 330,000 rows took
  150-350 ms before it). A `?q=` or `?address=` search looks its ids up first and lists up to 2,000 of them in
  the query: as a subquery PostgreSQL walked the whole queue probing each row (2 s for one address).
  Name and email parts use trigram indexes on PostgreSQL (`pg_trgm`, migration 0004); SQLite scans.
- The HTML page adds an exact `matching_count()` of the whole result: the largest part of its time on broad
  filters; `matching_count(f, cap=10_000)` (\"more than 10,000\") takes a few ms.
- In the batch, most of the approval is `publish()` (rendering and signing every format of the whole approved
  space) and the insert of the approved prefixes, where PostgreSQL checks the exclusion constraint row by row
  in a GiST (`inet_ops`) index. That index degrades when prefixes arrive in address order (325 µs against
  40 µs a lookup at 74,000 prefixes), so `approved_space.add()` inserts them shuffled. The re-check of the
  approved space reads it in at most 50 windows per IP version (0.4 s); state changes, 10,000 audit events and
  notifications are written in bulk (`transitions.move_many`, `audit.bulk.record_many`).
- Not timed here: after the commit a job re-validates pending applications touching the new space (with the
  worker's overlap index), and the mail queue sends the 10,000 emails."""
SECTION = "## Reviewer desk"
FILTERS = {
    "no filter (default states)": {},
    "state=flagged": {"state": "flagged"},
    "flag=breadth.too_broad": {"flag": "breadth.too_broad"},
    "category=call_center": {"category": "call_center"},
    "kind=freelancer": {"kind": "freelancer"},
    "city=Quetta": {"city": "Quetta"},
    "isp=nayatel": {"isp": "nayatel"},
    "older_than_days=150": {"older_than_days": "150"},
    "has_overrides=1": {"has_overrides": "1"},
    "confirmation=disputed": {"confirmation": "disputed"},
    "confirmation=none": {"confirmation": "none"},
    "q=name part": {"q": "Multan Labs 12"},
    "q=email": {"q": "applicant4242@"},
    "q=NTN without dash": {"q": "00012345"},
    "state=ready&kind=firm&city=Lahore&isp=ptcl": {"state": "ready", "kind": "firm", "city": "Lahore", "isp": "ptcl"},
}


def address_filters(rows) -> dict[str, dict]:
    """Addresses inside entries of the seeded data: one inside a v4 entry, a /16 over many, a v6 one."""
    v4 = next(e for e in rows.entries[len(rows.entries) // 2:] if e[4] == 4)
    v6 = next(e for e in rows.entries[len(rows.entries) // 3:] if e[4] == 6)
    from app.addresses.ranges import format_address
    return {
        "address=one IPv4 address": {"address": format_address(4, v4[5])},
        "address=IPv4 /16": {"address": f"{format_address(4, v4[5] >> 16 << 16)}/16"},
        "address=one IPv6 address": {"address": format_address(6, v6[5] + 77)},
        "address=IPv6 /40": {"address": f"{format_address(6, v6[5] >> 88 << 88)}/40"},
        "address=unused IPv4": {"address": "198.51.100.7"},
    }


def median_ms(call, runs: int = RUNS) -> float:
    call()  # warm-up: plans and caches, as on a running server
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return statistics.median(times)


def middle_cursor(f: QueueFilter) -> tuple[str | None, int]:
    """A cursor half-way through the filter's result (found with OFFSET once, untimed), and the count."""
    count = review_queue.matching_count(f)
    if count < 2:
        return None, count
    offset = count // 2
    for index, part in enumerate(review_queue._parts(f)):  # the queue's parts, one after the other
        ordered = review_queue._ordered((Application.id,), f, part)
        row = db.session.execute(ordered.offset(offset).limit(1)).first()
        if row is not None:
            return encode_cursor(row.sort_key, row.id, index), count
        offset -= db.session.scalar(select(func.count()).select_from(ordered.subquery()))
    return None, count


def time_queue(app, rows, results: list) -> None:
    reviewer = db.session.get(User, rows.reviewer_ids[0])
    token = issue_token(reviewer, "bench")
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    web = app.test_client()
    with web.session_transaction() as session:  # signed in as the reviewer, as Flask-Login keeps it
        session["_user_id"], session["_fresh"] = reviewer.get_id(), True
    html_works = web.get("/review/").status_code == 200  # the reviewers' queue page, where this checkout has it
    for label, args in {**FILTERS, **address_filters(rows)}.items():
        f = QueueFilter.from_args(args)
        cursor, count = middle_cursor(f)
        figures = {"filter": label, "matching": count}
        for page, page_cursor in (("page 1", None), ("middle page", cursor)):
            if page == "middle page" and cursor is None:
                continue
            figures[f"service {page}"] = median_ms(lambda: (review_queue.queue_page(f, page_cursor),
                                                            review_queue.state_counts()))
            query = dict(args, **({"cursor": page_cursor} if page_cursor else {}))
            figures[f"api {page}"] = median_ms(lambda: _ok(api.get("/api/v1/review/queue", query_string=query,
                                                                   headers=headers)))
            if html_works:
                figures[f"html {page}"] = median_ms(lambda: _ok(web.get("/review/", query_string=query)))
        figures["count"] = median_ms(lambda: review_queue.matching_count(f), runs=3)
        figures["count cap 10k"] = median_ms(lambda: review_queue.matching_count(f, cap=10_000), runs=3)
        results.append(figures)
        print(f"  {label:45} {count:>8,} matching  " + "  ".join(
            f"{k} {v:7.1f} ms" for k, v in figures.items() if k not in ("filter", "matching")), flush=True)


def _ok(response):
    assert response.status_code == 200, response.text[:500]
    return response


def time_dashboard(app, rows) -> dict[str, float]:
    """The reviewers' dashboard page and each of its figures on its own (ms, median of RUNS after a warm-up)."""
    web = app.test_client()
    with web.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(rows.reviewer_ids[0]), True
    figures = {"/review/dashboard page": median_ms(lambda: _ok(web.get("/review/dashboard")))}
    for name, call in (("daily_flow", stats.daily_flow), ("queue_ages", stats.queue_ages),
                       ("decision_times", stats.decision_times), ("publication_times (new)", stats.publication_times),
                       ("flags_by_code", stats.flags_by_code), ("decisions_by_reviewer", stats.decisions_by_reviewer)):
        figures[name] = median_ms(call)
    times = stats.publication_times()
    print("  dashboard: " + "  ".join(f"{k} {v:.1f} ms" for k, v in figures.items())
          + f"  ({times.published:,} approvals published in 90 days)", flush=True)
    return figures | {"published": times.published}


def time_batch(app, rows, size: int) -> dict:
    """create_batch, then approve_batch + commit with its publication, as the API handlers do."""
    maker, checker = (db.session.get(User, i) for i in rows.reviewer_ids)
    ids = rows.ready_ids[:size]
    timings: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timings[name] = timings.get(name, 0) + time.perf_counter() - started
        return wrapper

    started = time.perf_counter()
    batch = batches.create_batch(ids, maker)
    db.session.commit()
    created = time.perf_counter() - started
    chosen = set(ids)
    entries = sum(1 for e in rows.entries if e[1] in chosen)  # (the set built once: 1.5 M lookups)
    originals = (batches.publish, approved_space.clashes, approved_space.add, batches.move_many)
    batches.publish = timed("publish", originals[0])
    approved_space.clashes = timed("re-check (clashes)", originals[1])
    approved_space.add = timed("approved prefixes insert", originals[2])
    batches.move_many = timed("move_many (state, audit, notifications)", originals[3])
    try:
        started = time.perf_counter()
        batches.approve_batch(batch, checker)
        before_commit = time.perf_counter()
        db.session.commit()
        approved = time.perf_counter() - started
        timings["commit (+ after-commit queueing)"] = time.perf_counter() - before_commit
    finally:
        (batches.publish, approved_space.clashes, approved_space.add, batches.move_many) = originals
    assert batch.state == "published" and batch.whitelist_serial
    approved_count = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.id.in_(ids), Application.state == State.APPROVED))
    assert approved_count == len(ids), approved_count
    return {"applications": len(ids), "entries": entries, "create": created, "approve": approved,
            "serial": batch.whitelist_serial, "parts": timings}


def run_backend(name: str, database_url: str, redis_url: str, applications: int, batch: int) -> dict:
    print(f"== {name}: {applications:,} applications", flush=True)
    now = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    rows = generate(applications, now)
    print(f"  generated in {time.perf_counter() - started:.1f} s: {rows.describe()}", flush=True)
    instance = Path(tempfile.mkdtemp(prefix="bench-review-"))
    if name == "PostgreSQL":
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    Redis.from_url(redis_url).flushdb()
    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url, INSTANCE_DIR=instance))
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        started = time.perf_counter()
        seed(db.engine, rows, now)
        seeded = time.perf_counter() - started
        print(f"  seeded in {seeded:.1f} s", flush=True)
        started = time.perf_counter()
        publish("bench: the approved space before the batch", full=True)  # seeded by Core inserts: nothing marked
        db.session.commit()
        first_publish = time.perf_counter() - started
        print(f"  first whitelist version published in {first_publish:.1f} s", flush=True)
        queue: list = []
        time_queue(app, rows, queue)
        result = time_batch(app, rows, batch)
        dashboard = time_dashboard(app, rows)  # after the batch: its 10,000 approvals are among those published
        print(f"  batch of {result['applications']:,} ({result['entries']:,} entries): created in "
              f"{result['create']:.2f} s, approved + committed + published in {result['approve']:.2f} s "
              f"(serial {result['serial']}); " + ", ".join(f"{k} {v:.2f} s" for k, v in result["parts"].items()),
              flush=True)
        db.session.remove()
        db.engine.dispose()
    return {"name": name, "describe": rows.describe(), "seeded": seeded, "first_publish": first_publish,
            "queue": queue, "batch": result, "dashboard": dashboard}


def markdown(results: list[dict], scale: float) -> str:
    load = os.getloadavg()[0]
    lines = [SECTION, "",
             f"`.venv/bin/python bench/bench_review.py --scale {scale}` on {os.cpu_count()} CPUs, Python "
             f"{platform.python_version()}, {dt.date.today().isoformat()}, load average {load:.1f} at the end "
             "(other work shares the CPUs).",
             f"Data: {results[0]['describe']}. Each figure is the median of {RUNS} runs after a warm-up, in ms; "
             "\"service\" is `review_queue.queue_page()` plus `state_counts()` (what a page shows), \"api\" the whole "
             "`GET /api/v1/review/queue` request (page + counts + JSON), \"html\" the `/review/` page when it answers; "
             "\"middle\" is the page reached by a cursor half-way through the result; \"count\" is "
             "`matching_count()` alone (which the HTML page adds), \"count cap 10k\" the same with `cap=10_000`. "
             f"Targets: {QUEUE_TARGET_MS} ms a page, {ADDRESS_TARGET_MS} ms an address search.", ""]
    columns = [k for k in results[0]["queue"][0] if k not in ("filter", "matching")]
    header = ["filter"] + [f"{r['name']} {c}" for r in results for c in columns]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for i, figures in enumerate(results[0]["queue"]):
        cells = [f"{figures['filter']} ({figures['matching']:,})"]
        for r in results:
            other = r["queue"][i]
            cells += [f"{other[c]:.0f}" if c in other else "–" for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| batch | " + " | ".join(r["name"] for r in results) + " |", "|---|" + "---|" * len(results)]
    lines.append("| applications (entries) | " + " | ".join(
        f"{r['batch']['applications']:,} ({r['batch']['entries']:,})" for r in results) + " |")
    lines.append("| create_batch + commit | " + " | ".join(f"{r['batch']['create']:.2f} s" for r in results) + " |")
    lines.append(f"| **approve + commit + publish** (target {BATCH_TARGET_S} s) | " + " | ".join(
        f"**{r['batch']['approve']:.2f} s**" for r in results) + " |")
    for part in results[0]["batch"]["parts"]:
        lines.append(f"| — {part} | " + " | ".join(f"{r['batch']['parts'].get(part, 0):.2f} s" for r in results)
                     + " |")
    lines.append("| seeding (bulk, untimed by the targets) | " + " | ".join(f"{r['seeded']:.0f} s" for r in results)
                 + " |")
    lines.append("| first publish of the seeded approved space | " + " | ".join(
        f"{r['first_publish']:.1f} s" for r in results) + " |")
    lines += ["", f"| dashboard (ms; {results[0]['dashboard']['published']:,} approvals published in 90 days) | "
              + " | ".join(r["name"] for r in results) + " |", "|---|" + "---|" * len(results)]
    for part in results[0]["dashboard"]:
        if part != "published":
            lines.append(f"| {part} | " + " | ".join(f"{r['dashboard'][part]:.0f}" for r in results) + " |")
    return "\n".join(lines + ["", NOTES]) + "\n"


def write_results(section: str) -> None:
    text_ = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION in text_:
        start = text_.index(SECTION)
        end = text_.find("\n## ", start + len(SECTION))
        text_ = text_[:start] + section + ("\n" + text_[end + 1:] if end != -1 else "")
    else:
        text_ = text_.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text_)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 500,000 applications (default 1)")
    parser.add_argument("--batch", type=int, default=10_000, help="applications in the approved batch")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="its public schema is dropped first")
    parser.add_argument("--redis-url", default=POSTGRES_REDIS, help="Redis for the PostgreSQL run (flushed)")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {RESULTS.name}")
    options = parser.parse_args()
    applications = max(1000, int(FULL_SIZE * options.scale))
    results = []
    if options.backend in ("postgres", "both"):
        results.append(run_backend("PostgreSQL", options.postgres_url, options.redis_url, applications,
                                   options.batch))
    if options.backend in ("sqlite", "both"):
        folder = Path(tempfile.mkdtemp(prefix="bench-review-sqlite-"))
        redis_process = embedded_redis.start(folder / "redis.sock")
        try:
            results.append(run_backend("SQLite", f"sqlite:///{folder / 'raasta.db'}",
                                       embedded_redis.url(folder / "redis.sock"), applications, options.batch))
        finally:
            redis_process.terminate()
            redis_process.wait(timeout=10)
    section = markdown(results, options.scale)
    print("\n" + section)
    if not options.no_write:
        write_results(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
