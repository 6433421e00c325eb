"""bench/bench_load.py at a tiny scale (10 s, 5 applicants, 3 ISPs, 2 reviewers): every kind of user runs through
HAProxy and two hosts, and every check afterwards passes, so the mixed-load benchmark of issue 25 cannot rot
between its measured runs. Latency targets are not asserted: CI's machine is busy with the rest of the suite.

Runs where tests/deploy/test_two_hosts.py runs: DATABASE_URL is PostgreSQL, REDIS_URL is set and haproxy is
installed. The bench works in a database of its own beside DATABASE_URL's (dropped after) and in this test
process's own Redis database (flushed before and after).
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import _worker_redis, _xdist_worker

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
DATABASE_URL, REDIS_URL = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(not (DATABASE_URL.startswith("postgres") and REDIS_URL),
                                reason="the load bench needs PostgreSQL and a Redis server: set DATABASE_URL "
                                       "(postgresql+psycopg://...) and REDIS_URL")


def test_bench_load_runs_every_kind_of_user_at_a_tiny_scale():
    if not shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"):
        if os.environ.get("CI"):
            pytest.fail("haproxy is missing in CI; .ci/run installs Debian's haproxy package")
        pytest.skip("haproxy not installed (apt-get install haproxy)")
    worker = _xdist_worker()
    base = make_url(DATABASE_URL)
    database = base.set(database=f"{base.database}_load_{worker[0] if worker else 'main'}")
    redis_url = _worker_redis(REDIS_URL, worker[1]) if worker else REDIS_URL
    before = RESULTS.read_bytes()
    run = subprocess.run([sys.executable, "bench/bench_load.py", "--duration", "10", "--applicants", "5", "--isps",
                          "3", "--reviewers", "2", "--threads", "8", "--web-concurrency", "1", "--no-write",
                          "--database-url", database.render_as_string(hide_password=False), "--redis-url", redis_url],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout
    assert "### Steady load" in out
    # Applicants through the API and through the pages, ISPs and reviewers all reached the portal.
    for kind in ("| applicant | submit (API) |", "| applicant | submit (web) |", "| applicant | sign in (web) |",
                 "| isp | latest.txt 200 |", "| reviewer | queue page (web) |", "| reviewer | make batch (API) |"):
        assert kind in out, out
    assert "Errors: **0**, of them 5xx: **0**" in out, out
    afterwards = out.split("Afterwards:")[1]
    assert afterwards.count("- MET:") == 6 and "MISSED" not in afterwards, afterwards
    assert "0 without" in out  # every ISP download's sha256 was its ETag
    assert RESULTS.read_bytes() == before  # --no-write
