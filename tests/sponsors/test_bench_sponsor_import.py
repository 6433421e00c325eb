"""The member-file benchmark at a small scale, so it cannot rot; and its query count does not grow with the rows."""
import re

from tests.bench_smoke import run_tiny


def test_bench_sponsor_import_runs_and_queries_do_not_grow_with_rows():
    small = run_tiny("bench_sponsor_import.py", "--rows", "60")
    large = run_tiny("bench_sponsor_import.py", "--rows", "600")
    queries = [int(re.search(r"with (\d+) queries", out).group(1)) for out in (small, large)]
    assert queries[1] <= queries[0] + 5, queries  # a few more address windows at most, never one per row
