"""`make run`: the whole portal in one terminal. Embedded Redis (unless REDIS_URL is set),
migrations, one RQ worker and the web server; Ctrl-C stops every child and leaves none behind.

The launcher also supervises: a child that dies (a killed worker, a crashed Redis) is started again,
with a growing pause if it keeps dying, while the others go on serving.
"""
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable

from app.config import REPO_ROOT, Config, ConfigError, embedded_redis_socket, redis_url
from app.runtime import embedded_redis
from app.runtime.preflight import check_database, check_redis
from app.runtime.process_control import child_dies_with_parent

VENV_BIN = os.path.dirname(sys.executable)
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


def _spawn(argv: list[str], env: dict) -> Callable[[], subprocess.Popen]:
    return lambda: subprocess.Popen(argv, cwd=REPO_ROOT, env=env, preexec_fn=child_dies_with_parent)


def _stop(children: list[Child]) -> None:
    """Stop the web server and the workers, then what they use (the embedded Redis): a worker finishing
    its job must not find Redis gone (it would print a ConnectionError for every request it tries)."""
    users = [c for c in children if not c.used_by_others]
    _stop_now(list(reversed(users)))
    _stop_now([c for c in reversed(children) if c.used_by_others])


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


def _worker_count(env: dict) -> int:
    """WORKERS: queue workers to run (each about one CPU while a bulk validation runs); 1 by default."""
    value = env.get("WORKERS", "1")
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise ConfigError(f"WORKERS={value!r} is not a number of workers; use e.g. WORKERS=2 (1 to 64)")
    return int(value)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    os.umask(0o077)  # the database, Redis's file, documents and mail: readable by this account only
    env = dict(os.environ)
    children: list[Child] = []
    # Ctrl-C reaches the whole process group; SIGTERM (e.g. from a supervisor) is treated the same. SIGINT is
    # set too: started in the background by a shell (`make run &`, a CI script), a process inherits SIGINT
    # ignored, and Python then leaves it ignored, so Ctrl-C (or `kill -INT`) would stop nothing.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        db_url = Config().SQLALCHEMY_DATABASE_URI  # every setting checked before anything starts
        if not os.environ.get("REDIS_URL"):
            socket_path = embedded_redis_socket()
            children.append(Child("redis", lambda: embedded_redis.start(socket_path), used_by_others=True))
            children[-1].run()
            env["REDIS_URL"] = embedded_redis.url(socket_path)
        check_database(db_url)
        check_redis(env.get("REDIS_URL") or redis_url())
        subprocess.run([f"{VENV_BIN}/flask", "--app", "app", "db", "upgrade"], cwd=REPO_ROOT, env=env, check=True)

        port = env.get("PORT", "5000")
        # Links in emails point at this server unless PUBLIC_URL says where the public finds it.
        if not env.get("PUBLIC_URL"):
            env["PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        workers = _worker_count(env)
        started = len(children)
        children += [Child("worker" if workers == 1 else f"worker {n + 1}", _spawn([sys.executable, "worker.py"], env))
                     for n in range(workers)]
        children.append(Child("web", _spawn(
            [sys.executable, "-m", "app.runtime.web_server", "--bind", f"127.0.0.1:{port}"], env)))
        for child in children[started:]:
            child.run()
        print(f"\nRaasta is running on http://127.0.0.1:{port}  (Ctrl-C stops it)\n"
              "First admin: .venv/bin/flask --app app users create you@example.pk --role admin --password '...'\n",
              flush=True)
        while True:
            time.sleep(0.5)
            for child in children:
                child.check()
    except ConfigError as exc:
        print(f"raasta: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"raasta: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nraasta: stopping", file=sys.stderr)
        return 0
    finally:
        _stop(children)


if __name__ == "__main__":
    sys.exit(main())
