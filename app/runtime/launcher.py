"""`make run`: the whole portal in one terminal. Embedded Redis (unless REDIS_URL is set),
migrations, one RQ worker and the web server; Ctrl-C stops every child and leaves none behind.

The launcher also supervises: a child that dies (a killed worker, a crashed Redis) is started again,
with a growing pause if it keeps dying, while the others go on serving.
"""
import os
import subprocess
import sys
from typing import Callable

from app.config import REPO_ROOT, Config, ConfigError, embedded_redis_socket, redis_url
from app.runtime import embedded_redis
from app.runtime.children import Child, supervise
from app.runtime.preflight import check_database, check_document_store, check_redis
from app.runtime.process_control import child_dies_with_parent

VENV_BIN = os.path.dirname(sys.executable)


def _spawn(argv: list[str], env: dict) -> Callable[[], subprocess.Popen]:
    return lambda: subprocess.Popen(argv, cwd=REPO_ROOT, env=env, preexec_fn=child_dies_with_parent)


def _worker_count(env: dict) -> int:
    """WORKERS: queue workers to run (each about one CPU while a bulk validation runs); 1 by default."""
    value = env.get("WORKERS", "1")
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise ConfigError(f"WORKERS={value!r} is not a number of workers; use e.g. WORKERS=2 (1 to 64)")
    return int(value)


def main() -> int:
    os.umask(0o077)  # the database, Redis's file, documents and mail: readable by this account only
    return supervise("raasta", _start)


def _start(children: list[Child]) -> None:
    env = dict(os.environ)
    config = Config()  # every setting checked before anything starts
    db_url = config.SQLALCHEMY_DATABASE_URI
    if not os.environ.get("REDIS_URL"):
        socket_path = embedded_redis_socket()
        children.append(Child("redis", lambda: embedded_redis.start(socket_path), used_by_others=True))
        children[-1].run()
        env["REDIS_URL"] = embedded_redis.url(socket_path)
    check_database(db_url)
    check_redis(env.get("REDIS_URL") or redis_url())
    check_document_store(config.DOCUMENT_STORE, config.S3_ENDPOINT_URL)
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

if __name__ == "__main__":
    sys.exit(main())
