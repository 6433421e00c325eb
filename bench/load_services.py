"""What bench/bench_load.py runs beside the cluster: a scratch database, a private Redis and PostgreSQL it may kill
and restart (never the machine's own, which other work shares), and the CPU each process uses, from /proc."""
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PG_BIN = Path(next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port} after {timeout:.0f} s")


def recreate_database(url: str) -> None:
    """Drop and create the database `url` names, through the server's `postgres` database."""
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    engine.dispose()


class PrivateRedis:
    """`redis-server` on a port of its own, no persistence: a restart loses what it held, as a Redis without
    persistence does (the portal's job outbox and sweeper are what bring queued work back)."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder, self.port = folder, port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.folder)],
            stdout=(self.folder / "redis.log").open("ab"), stderr=subprocess.STDOUT)
        wait_for_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process is not None and self.process.poll() is None else []


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb in a temporary folder, its own port, trust on loopback), run as the
    `postgres` account when this runs as root (PostgreSQL refuses root); `restart()` is `pg_ctl restart -m fast`."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder, self.port = folder / "pgdata", port or free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/bench_load"
        self.log = folder / "postgres.log"

    def _run(self, *argv: str) -> None:
        command = [str(PG_BIN / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self.folder.mkdir(mode=0o700)
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        self._run("initdb", "-D", str(self.folder), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder), "-l", str(self.log), "-w", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder), "-l", str(self.log), "-w", "-m", "fast", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "restart")

    def stop(self, mode: str = "immediate") -> None:
        if (self.folder / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.folder), "-w", "-m", mode, "stop")

    def pids(self) -> list[int]:
        """The postmaster and all its processes."""
        try:
            leader = int((self.folder / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return []
        return [leader] + [pid for pid, stat in _stats() if stat[1] == leader]


def _stats():
    """(pid, (state, ppid, pgid, cpu seconds including reaped children)) of every process."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        cpu = sum(int(fields[i]) for i in (11, 12, 13, 14)) / CLOCK_TICKS  # utime stime cutime cstime
        yield int(entry.name), (fields[0], int(fields[1]), int(fields[2]), cpu)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


class CpuMeter:
    """CPU seconds per named group of processes between start() and stop(), sampled every second: a process that
    ends meanwhile (a killed host, a PostgreSQL backend) keeps what it used until its last sample. A group is a
    function returning pids (group leaders: their whole process group counts)."""

    def __init__(self, groups: dict, whole_groups: set[str]):
        self.groups, self.whole_groups = groups, whole_groups
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.started = False  # a process first seen after start() began during the load: it counts from 0

    def sample(self) -> None:
        stats = dict(_stats())
        for name, pids in self.groups.items():
            chosen = set(pids())
            if name in self.whole_groups:
                chosen = {pid for pid, stat in stats.items() if stat[2] in chosen}
            for pid in chosen:
                if pid in stats:
                    key = (name, pid)
                    self.first.setdefault(key, stats[pid][3] if self.started else 0.0)
                    self.last[key] = stats[pid][3]

    def start(self) -> None:
        self.sample()
        self.started = True

    def totals(self) -> dict[str, float]:
        found = {name: 0.0 for name in self.groups}
        for (name, pid), value in self.last.items():
            found[name] += value - self.first[(name, pid)]
        return found


def postgres_backends(database: str):
    """The machine cluster's backends serving `database` (its background processes serve every database)."""
    def pids() -> list[int]:
        return [pid for pid, _ in _stats() if _cmdline(pid).startswith("postgres: ") and f" {database} " in _cmdline(pid)]
    return pids


def redis_server(port: int):
    def pids() -> list[int]:
        return [pid for pid, _ in _stats() if "redis-server" in _cmdline(pid).split(" ")[0]
                and f":{port}" in _cmdline(pid)]
    return pids
