"""Running a benchmark at a tiny scale from a test, so it cannot rot between its real runs: it must exit 0 and,
given --no-write, leave bench/RESULTS.md as it was."""
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "RESULTS.md"


def run_tiny(script: str, *arguments: str, timeout: int = 180) -> str:
    """stdout of `python bench/SCRIPT ARGUMENTS --no-write`, checked to have exited 0 and written nothing."""
    before = RESULTS.read_bytes()
    run = subprocess.run([sys.executable, f"bench/{script}", *arguments, "--no-write"], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert RESULTS.read_bytes() == before
    return run.stdout
