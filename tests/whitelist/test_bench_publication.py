"""bench/bench_publication.py at a tiny scale, its HTTP part included: the reference app it measures the portal's
304s against must start in the production web server as the portal does (it stopped doing so once the server read
more of its settings from the app, and nothing noticed until a run at 1M entries)."""
import shutil

import pytest

from tests.bench_smoke import run_tiny


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_bench_publication_serves_the_portal_and_its_reference_at_a_tiny_scale():
    out = run_tiny("bench_publication.py", "--entries", "300", "--subscriptions", "20", "--backend", "sqlite",
                   "--duration", "1", "--rounds", "1")
    assert "| sqlite | 304 `latest.txt`, token + If-None-Match |" in out
    assert "| sqlite | 200 `latest.txt`" in out
