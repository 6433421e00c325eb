"""The member-file benchmark at a small scale, so it cannot rot; and its query count does not grow with the rows."""
import re

from app.services.review.approved_space import MAX_WINDOWS
from tests.bench_smoke import run_tiny


def test_bench_sponsor_import_runs_and_queries_do_not_grow_with_rows():
    small = run_tiny("bench_sponsor_import.py", "--rows", "60")
    large = run_tiny("bench_sponsor_import.py", "--rows", "600")
    queries = [int(re.search(r"with (\d+) queries", out).group(1)) for out in (small, large)]
    # the approved space is read in at most MAX_WINDOWS windows, plus a few lookups: never a query per row
    assert all(q <= MAX_WINDOWS + 5 for q in queries) and queries[1] < 600, queries
