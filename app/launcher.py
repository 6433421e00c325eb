"""`make run`: the whole portal in one terminal. Embedded Redis (unless REDIS_URL is set),
migrations, one RQ worker and the web server; Ctrl-C stops every child and leaves none behind."""
import os
import signal
import subprocess
import sys
import time

from app import embedded_redis
from app.config import REPO_ROOT, ConfigError, database_url, embedded_redis_socket, redis_url
from app.preflight import check_database, check_redis
from app.runtime.process_control import child_dies_with_parent

VENV_BIN = os.path.dirname(sys.executable)
STOP_GRACE_SECONDS = 10


def _spawn(name: str, argv: list[str], env: dict) -> tuple[str, subprocess.Popen]:
    return name, subprocess.Popen(argv, cwd=REPO_ROOT, env=env, preexec_fn=child_dies_with_parent)


def _stop(children: list[tuple[str, subprocess.Popen]]) -> None:
    for _, process in reversed(children):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, process in reversed(children):
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"raasta: {name} did not stop in {STOP_GRACE_SECONDS} s; killing it", file=sys.stderr)
            process.kill()
            process.wait()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    env = dict(os.environ)
    children: list[tuple[str, subprocess.Popen]] = []
    # Ctrl-C reaches the whole process group; SIGTERM (e.g. from a supervisor) is treated the same.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        db_url = database_url()
        if not os.environ.get("REDIS_URL"):
            socket_path = embedded_redis_socket()
            children.append(("redis", embedded_redis.start(socket_path)))
            env["REDIS_URL"] = embedded_redis.url(socket_path)
        check_database(db_url)
        check_redis(env.get("REDIS_URL") or redis_url())
        subprocess.run([f"{VENV_BIN}/flask", "--app", "app", "db", "upgrade"], cwd=REPO_ROOT, env=env, check=True)

        port = env.get("PORT", "5000")
        children.append(_spawn("worker", [sys.executable, "worker.py"], env))
        children.append(_spawn("web", [sys.executable, "-m", "app.runtime.web_server", "--bind", f"127.0.0.1:{port}"],
                               env))
        print(f"\nRaasta is running on http://127.0.0.1:{port}  (Ctrl-C stops it)\n"
              "First admin: .venv/bin/flask --app app users create you@example.pk --role admin --password '...'\n",
              flush=True)
        while all(process.poll() is None for _, process in children):
            time.sleep(0.5)
        stopped = next(name for name, process in children if process.poll() is not None)
        print(f"raasta: {stopped} exited; stopping the rest", file=sys.stderr)
        return 1
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
