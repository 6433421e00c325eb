"""bench/bench_approval.py at a tiny scale: every piece runs (about 20 s), so the benchmark of issue 24's
publication targets cannot rot between its runs at 1M entries."""
from tests.bench_smoke import run_tiny


def test_bench_approval_runs_every_piece_at_a_tiny_scale():
    out = run_tiny("bench_approval.py", "--entries", "200", "--backend", "sqlite", "--approvals", "2", "--batch", "2",
                   "--rounds", "1", timeout=120)
    assert "## Approval and end to end (issue 24)" in out
    # Both approvals answered with a serial whose every format was fetched and checked.
    assert out.count("all formats fetched and checked") == 2
    assert "all 2 versions: sha256 = ETag, signature valid" in out
    # The probe process published and reported its peak; the end-to-end round reached the webhook.
    assert "publication in its own process: peak RSS" in out
    assert "| sqlite | 1 |" in out and "| sqlite | **median** |" in out
