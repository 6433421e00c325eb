"""Supervised child processes: started again when they die, stopped users first, then what they use.

Shared by `make run` (app/runtime/launcher.py) and `make hosts` (deploy/cluster.py).
"""
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable

from app.config import ConfigError

STOP_GRACE_SECONDS = 10
BACKOFF_SECONDS = (1, 2, 5, 10, 30)  # pauses before restarting a child that died again and again
STABLE_AFTER_SECONDS = 60           # a child that ran this long starts its backoff afresh


@dataclass
class Child:
    name: str
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    used_by_others: bool = False  # a service the other children use: stopped after them
    leads_group: bool = False     # started in a process group of its own: all of it is killed once it stopped

    def run(self) -> None:
        self.process, self.started_at, self.restart_at = self.start(), time.monotonic(), None

    def check(self) -> None:
        """Restart the child if it has died and its pause is over."""
        now = time.monotonic()
        if self.restart_at is None and self.process.poll() is not None:
            self.failures = 1 if now - self.started_at > STABLE_AFTER_SECONDS else self.failures + 1
            pause = BACKOFF_SECONDS[min(self.failures, len(BACKOFF_SECONDS)) - 1]
            print(f"raasta: {self.name} exited with status {self.process.returncode}; starting it again in "
                  f"{pause} s", file=sys.stderr, flush=True)
            self.restart_at = now + pause
        if self.restart_at is not None and now >= self.restart_at:
            try:
                self.run()
            except RuntimeError as exc:  # e.g. Redis could not start: try again after a longer pause
                print(f"raasta: {self.name} did not start: {exc}", file=sys.stderr, flush=True)
                self.started_at, self.restart_at = now, None


def stop(children: list[Child]) -> None:
    """Stop the web servers and the workers, then what they use (the embedded Redis): a worker finishing
    its job must not find Redis gone (it would print a ConnectionError for every request it tries)."""
    users = [c for c in children if not c.used_by_others]
    _stop_now(list(reversed(users)))
    _stop_now([c for c in reversed(children) if c.used_by_others])
    for child in children:  # what a child left in its group (a server process of a killed host) goes too
        if child.leads_group and child.process is not None:
            kill_group(child.process.pid)


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the group is gone already


def _stop_now(children: list[Child]) -> None:
    running = [c for c in children if c.process is not None and c.process.poll() is None]
    for child in running:
        child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in running:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"raasta: {child.name} did not stop in {STOP_GRACE_SECONDS} s; killing it", file=sys.stderr)
            child.process.kill()
            child.process.wait()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def supervise(name: str, start: Callable[[list[Child]], None]) -> int:
    """Run `start(children)`, which starts the children it appends, then start again any that dies, until
    Ctrl-C or SIGTERM; stop every child whatever happens. Returns the exit status: 0 after Ctrl-C, 2 for a
    wrong setting, 1 for what could not start, each said in one line that begins with `name`."""
    # Ctrl-C reaches the whole process group; SIGTERM (e.g. from a supervisor) is treated the same. SIGINT is
    # set too: started in the background by a shell (`make run &`, a CI script), a process inherits SIGINT
    # ignored, and Python then leaves it ignored, so Ctrl-C (or `kill -INT`) would stop nothing.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    children: list[Child] = []
    try:
        start(children)
        while True:
            time.sleep(0.5)
            for child in children:
                child.check()
    except ConfigError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{name}: stopping", file=sys.stderr)
        return 0
    finally:
        stop(children)
