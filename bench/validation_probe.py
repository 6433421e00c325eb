"""For bench_validation.py: process figures from /proc, and an applicant reading their pages meanwhile.

PageProbe signs one applicant in through the production web server (the one `make run` starts) and
reads their pages one after another, a short pause between requests, for as long as the bulk run
lasts; each request's latency is kept, for p50 / p99 / max.
"""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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
    """User + system CPU of a process and of its children it has waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / CLOCK_TICKS
    except (OSError, IndexError):
        return float("nan")


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine spent busy so far (summed over CPUs)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_web_server(tree: Path, env: dict, port: int, log: Path) -> subprocess.Popen:
    """The production web server from `tree`, as `make run` starts it; returns once /healthz answers."""
    server = subprocess.Popen([sys.executable, "-m", "app.runtime.web_server", "--bind", f"127.0.0.1:{port}"],
                              cwd=tree, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except (urllib.error.URLError, OSError):
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"the web server did not start; see {log}")


class PageProbe(threading.Thread):
    """One applicant reading their pages in a loop until stop()."""

    def __init__(self, base_url: str, email: str, password: str, paths: list[str], pause: float = 0.1):
        super().__init__(daemon=True)
        self.base_url, self.paths, self.pause = base_url, paths, pause
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self._finished = threading.Event()
        self._sign_in(email, password)

    def _sign_in(self, email: str, password: str) -> None:
        page = self.opener.open(self.base_url + "/sign-in", timeout=30).read().decode()
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
        token = re.search(r'value="([^"]+)"', tag).group(1)
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
        landed = self.opener.open(self.base_url + "/sign-in", data=form, timeout=30)
        if "/sign-in" in landed.geturl():
            raise RuntimeError("the page probe could not sign in")

    def sample(self, rounds: int = 5) -> dict:
        """The pages read `rounds` times now (e.g. with the workers idle), for comparison."""
        latencies = []
        for _ in range(rounds):
            for path in self.paths:
                began = time.perf_counter()
                self.opener.open(self.base_url + path, timeout=30).read()
                latencies.append((time.perf_counter() - began) * 1000)
        latencies.sort()
        return {"requests": len(latencies), "p50_ms": latencies[len(latencies) // 2], "max_ms": latencies[-1]}

    def run(self) -> None:
        while not self._finished.is_set():
            for path in self.paths:
                began = time.perf_counter()
                try:
                    with self.opener.open(self.base_url + path, timeout=30) as response:
                        response.read()
                        if "/sign-in" in response.geturl():
                            self.errors.append(f"{path}: signed out")
                except (urllib.error.URLError, OSError) as exc:
                    self.errors.append(f"{path}: {exc}")
                self.latencies.append((time.perf_counter() - began) * 1000)
                if self._finished.wait(self.pause):
                    return

    def stop(self) -> dict:
        self._finished.set()
        self.join(timeout=60)
        ordered = sorted(self.latencies)

        def percentile(share: float) -> float:
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")

        return {"requests": len(ordered), "p50_ms": percentile(0.50), "p99_ms": percentile(0.99),
                "max_ms": ordered[-1] if ordered else float("nan"), "errors": self.errors[:5],
                "error_count": len(self.errors), "paths": self.paths}
