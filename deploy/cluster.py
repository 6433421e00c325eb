"""N web hosts, their workers and HAProxy in front, on one machine: what a deployment on N boxes does.

    DATABASE_URL=postgresql+psycopg://... REDIS_URL=redis://... python -m deploy.cluster up --hosts 2 --workers 1

Each host is `python -m app.runtime.web_server` with an instance folder of its own (its whitelist caches);
all share one database, one Redis, one SECRET_KEY and one WHITELIST_SIGNING_KEY (from the environment,
else generated once into the cluster's folder). HAProxy balances round-robin, checks /healthz every second,
takes a host out after two failed checks and sends a request whose connection a dead host refused to another.

From Python (the load and fault tests build on this):

    with Cluster(folder, hosts=2, workers=1, database_url=..., redis_url=...) as cluster:
        cluster.url, cluster.hosts[0].url, cluster.env      # the balancer, one host, for `flask` commands
        cluster.kill_host(0); cluster.wait_healthy()        # HAProxy has taken it out
        cluster.start_host(0); cluster.wait_healthy()       # and back in
"""
import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.config import REPO_ROOT, ConfigError
from app.runtime.children import Child, kill_group, stop, supervise
from app.runtime.preflight import check_database, check_redis
from app.runtime.process_control import child_dies_with_parent
from app.system.instance_keys import secret_key, signing_key_pem

BALANCER_ADDRESS = "127.0.0.1"  # where the hosts see HAProxy's connections come from (their TRUSTED_PROXY)

HAPROXY_CONFIG = """\
global
    stats socket {stats_socket} mode 600 level admin
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlognull
    # The client's address, appended last: the one hop the hosts believe (TRUSTED_PROXY).
    option forwardfor
    # A connection a dead host refused is tried again on another host; a GET (idempotent) also when the
    # host died before answering, so killing a host costs only the writes in flight on it.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    timeout connect 2s
    timeout check 2s
    # Headers must come within 30 s (slow-loris); after that, 5 minutes of silence either way is allowed:
    # a 500 MB whitelist to a slow ISP, a large upload, an approval that publishes a million entries.
    timeout http-request 30s
    timeout client 5m
    timeout server 5m
    timeout http-keep-alive 10s
    timeout queue 30s
    default-server inter 1s fall 2 rise 1

frontend portal
    bind {address}:{port}
    # The scheme the client spoke, never one it claims (behind TLS termination this would say https).
    http-request set-header X-Forwarded-Proto http
    default_backend hosts

backend hosts
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    http-request disable-l7-retry if !METH_GET
{servers}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _haproxy() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if not found:
        raise ConfigError("haproxy is not installed; the hosts need it in front (apt-get install haproxy)")
    return found


def check_shared_services(database_url: str | None, redis_url: str | None) -> None:
    """Several hosts need one PostgreSQL and one Redis server: an SQLite file and the embedded Redis are one box's."""
    if not (database_url or "").startswith(("postgresql", "postgres://")):
        raise ConfigError(f"DATABASE_URL={database_url or ''!r} is not PostgreSQL; several hosts share one database "
                          "server, e.g. DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/raasta")
    if not (redis_url or "").startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL={redis_url or ''!r} is not a Redis server; several hosts share one, "
                          "e.g. REDIS_URL=redis://127.0.0.1:6379/0")
    check_database(database_url)
    check_redis(redis_url)


@dataclass
class Member:
    """A web host or a worker: a supervised child with an instance folder of its own."""
    child: Child
    instance_dir: Path
    url: str | None = None  # a web host's own address, past the balancer

    @property
    def running(self) -> bool:
        return self.child.process is not None and self.child.process.poll() is None


class Cluster:
    def __init__(self, folder, hosts: int = 2, workers: int = 1, database_url: str | None = None,
                 redis_url: str | None = None, port: int | None = None, host_ports: list[int] | None = None,
                 env: dict | None = None):
        """`env`: settings for every process (e.g. WEB_CONCURRENCY, RATELIMIT_SIGN_IN) over os.environ.
        `port`: the balancer's, free one by default; `host_ports` likewise."""
        check_shared_services(database_url, redis_url)
        self.haproxy = _haproxy()
        self.folder = Path(folder).resolve()
        (self.folder / "logs").mkdir(parents=True, exist_ok=True, mode=0o700)
        given = {**os.environ, **(env or {})}
        self.port = port or _free_port()
        self.url = f"http://{BALANCER_ADDRESS}:{self.port}"
        # One key each for every host: a session or CSRF token made on one is good on all, and every host's lists
        # verify with the one public key. Given, or generated once into the folder (kept for the next start).
        signing_key = given.get("WHITELIST_SIGNING_KEY") or signing_key_pem(self.folder).decode()
        self.env = {**given, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PUBLIC_URL": self.url,
                    "SECRET_KEY": given.get("SECRET_KEY") or secret_key(self.folder),
                    "WHITELIST_SIGNING_KEY": signing_key, "RAASTA_INSTANCE_DIR": str(self.folder / "cli")}
        host_ports = host_ports or [_free_port() for _ in range(hosts)]
        self.hosts = [self._member(f"host-{n + 1}", ["-m", "app.runtime.web_server", "--bind", f"127.0.0.1:{p}"],
                                   {"TRUSTED_PROXY": BALANCER_ADDRESS}, url=f"http://127.0.0.1:{p}")
                      for n, p in enumerate(host_ports[:hosts])]
        self.workers = [self._member(f"worker-{n + 1}", ["worker.py"]) for n in range(workers)]
        self.balancer = Child("haproxy", self._spawn("haproxy", [self.haproxy, "-db", "-f", str(self._write_config())],
                                                     self.env), leads_group=True)

    def _member(self, name: str, args: list[str], settings: dict | None = None, url: str | None = None) -> Member:
        instance = self.folder / name
        env = {**self.env, **(settings or {}), "RAASTA_INSTANCE_DIR": str(instance)}
        return Member(Child(name, self._spawn(name, [sys.executable, *args], env), leads_group=True), instance, url)

    def _spawn(self, name: str, argv: list[str], env: dict) -> Callable[[], subprocess.Popen]:
        """Each child leads a process group (a host's server processes, a worker): kill_host kills it whole, as a
        crashed box would be, and Ctrl-C reaches only this process, which stops them in order."""
        def start() -> subprocess.Popen:
            with open(self.folder / "logs" / f"{name}.log", "ab") as log:
                return subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True, preexec_fn=child_dies_with_parent)
        return start

    def _write_config(self) -> Path:
        path = self.folder / "haproxy.cfg"
        servers = "\n".join(f"    server {m.child.name} {m.url.removeprefix('http://')} check" for m in self.hosts)
        path.write_text(HAPROXY_CONFIG.format(stats_socket=self.folder / "haproxy.sock", address=BALANCER_ADDRESS,
                                              port=self.port, servers=servers))
        checked = subprocess.run([self.haproxy, "-c", "-q", "-f", str(path)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"haproxy refused {path}: {(checked.stderr or checked.stdout).strip()}")
        return path

    # -- the whole cluster ------------------------------------------------------------------------------------

    def start(self) -> "Cluster":
        """Migrations once, then the workers, the hosts and the balancer."""
        migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=REPO_ROOT,
                                  env=self.env, capture_output=True, text=True)
        if migrated.returncode != 0:
            raise RuntimeError(f"flask db upgrade failed: {migrated.stderr.strip().splitlines()[-1:]}")
        for child in self.children():
            child.run()
        return self

    def stop(self) -> None:
        """The balancer first (no new requests), then the hosts, then the workers; then anything left in their
        process groups, so no process outlives this."""
        stop(self.children())

    def children(self) -> list[Child]:
        return [m.child for m in self.workers + self.hosts] + [self.balancer]  # stop() stops them last first

    def __enter__(self) -> "Cluster":
        try:
            self.start()
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- faults ---------------------------------------------------------------------------------------------

    def kill_host(self, i: int) -> None:
        """SIGKILL host i's whole process group: a crashed box. Requests in flight on it fail; HAProxy takes it
        out after two failed checks (about 2 s) and meanwhile retries refused connections on another host."""
        self._kill(self.hosts[i])

    def start_host(self, i: int) -> None:
        """Call it (and start_worker) from a thread that lives as long as the host: a child gets SIGTERM when the
        thread that started it ends (PR_SET_PDEATHSIG follows the thread, not the process)."""
        self._start(self.hosts[i])

    def kill_worker(self, i: int) -> None:
        """SIGKILL worker i: its job is lost until the sweeper queues it again (README, Operating it)."""
        self._kill(self.workers[i])

    def start_worker(self, i: int) -> None:
        self._start(self.workers[i])

    @staticmethod
    def _kill(member: Member) -> None:
        if member.running:
            kill_group(member.child.process.pid)
            member.child.process.wait()

    @staticmethod
    def _start(member: Member) -> None:
        if not member.running:
            member.child.run()

    # -- watching ---------------------------------------------------------------------------------------------

    def balancer_view(self) -> dict[str, dict]:
        """HAProxy's view of each host, from its stats socket: {"host-1": {"status": "UP", "requests": 12}, ...}."""
        with socket.socket(socket.AF_UNIX) as stats:
            stats.settimeout(5)
            stats.connect(str(self.folder / "haproxy.sock"))
            stats.sendall(b"show stat\n")
            answer = b"".join(iter(lambda: stats.recv(65536), b""))
        rows = csv.DictReader(answer.decode().removeprefix("# ").splitlines())
        return {row["svname"]: {"status": row["status"].split()[0], "requests": int(row["req_tot"] or row["stot"])}
                for row in rows if row["pxname"] == "hosts" and row["svname"] not in ("FRONTEND", "BACKEND")}

    def wait_healthy(self, timeout: float = 90) -> float:
        """Wait until the balancer agrees with what runs: every running host answers /healthz and is UP in
        HAProxy, every killed one is DOWN. Returns the seconds it took (the fault tests' detection time)."""
        started = time.monotonic()
        while True:
            try:
                view = self.balancer_view()
                # HAProxy counts a host UP before its first check: a running host must also answer itself.
                if all((view[m.child.name]["status"] == "UP" and _healthy(m.url)) if m.running
                       else view[m.child.name]["status"] == "DOWN" for m in self.hosts):
                    return time.monotonic() - started
            except OSError:
                view = "HAProxy's stats socket does not answer yet"
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"the cluster in {self.folder} is not healthy after {timeout:.0f} s: {view}; "
                                   f"see {self.folder / 'logs'}")
            time.sleep(0.2)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the cluster and supervise it until Ctrl-C")
    up.add_argument("--hosts", type=int, default=2, choices=range(1, 17), metavar="N", help="web hosts (1-16)")
    up.add_argument("--workers", type=int, default=1, choices=range(1, 65), metavar="M", help="queue workers (1-64)")
    up.add_argument("--folder", type=Path, default=REPO_ROOT / "instance" / "cluster",
                    help="the hosts' instance folders, keys, logs and HAProxy's config")
    up.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")), help="the balancer's port")
    args = parser.parse_args(argv)
    os.umask(0o077)  # keys, logs and the hosts' caches: readable by this account only

    def start(children: list[Child]) -> None:
        cluster = Cluster(args.folder, hosts=args.hosts, workers=args.workers,
                          database_url=os.environ.get("DATABASE_URL"), redis_url=os.environ.get("REDIS_URL"),
                          port=args.port, host_ports=[args.port + 1 + n for n in range(args.hosts)])
        children += cluster.children()
        cluster.start()
        cluster.wait_healthy()
        hosts = ", ".join(m.url for m in cluster.hosts)
        print(f"\nRaasta is running on {cluster.url} (HAProxy in front of {hosts}; {args.workers} worker(s); logs in "
              f"{cluster.folder / 'logs'})  Ctrl-C stops it\n", flush=True)

    return supervise("cluster", start)  # as `make run` does: a child that dies is started again

if __name__ == "__main__":
    sys.exit(main())
