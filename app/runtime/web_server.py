"""The web server: a few waitress processes sharing one listening socket.

Waitress reads each request whole — headers and body, a large body spooled to a temporary file — in
its event loop before a worker thread sees it, so a client that trickles a body ties up one socket,
never a thread: fifty slow uploads leave every thread free for /healthz and the sign-in page. (The
sync gunicorn workers this replaces each read their request body themselves; two slow clients froze
two workers.) One process per CPU gets round the GIL; the processes accept from one socket bound
here, and a process that dies is started again.

    python -m app.runtime.web_server --bind 127.0.0.1:5000 --processes 2 --threads 8
"""
import argparse
import logging
import os
import signal
import socket
import sys
import time

from app.config import Config, ConfigError, whole_number
from app.runtime.process_control import child_dies_with_parent

CONNECTION_LIMIT = 500      # per process; slow clients past this wait in the listen backlog
CHANNEL_TIMEOUT = 60        # seconds a connection may sit idle (or trickle nothing) before it is closed
RESPAWN_DELAY = 1.0

log = logging.getLogger("raasta.web")


def _access_log(app):
    """One line per request (waitress writes none): method, path, status, milliseconds."""

    def logged(environ, start_response):
        started, status = time.monotonic(), []

        def recording_start_response(status_line, headers, exc_info=None):
            status.append(status_line.split(" ", 1)[0])
            return start_response(status_line, headers, exc_info)

        try:
            return app(environ, recording_start_response)
        finally:
            log.info('%s "%s %s" %s %.0fms', environ.get("REMOTE_ADDR", "-"), environ["REQUEST_METHOD"],
                     environ.get("PATH_INFO", ""), status[0] if status else "-",
                     (time.monotonic() - started) * 1000)

    return logged


def _serve(sock: socket.socket, threads: int) -> None:
    """One server process: build the app after the fork, so no connection is shared between processes.

    Bodies up to MAX_REQUEST_BODY_BYTES are read (to a temporary file past 512 kB) and handed to the app,
    which refuses those over MAX_CONTENT_LENGTH with its own page; a larger one is refused unread, with
    the portal's page too (body_limit), not waitress's plain text."""
    from waitress.server import create_server

    from app import create_app
    from app.runtime.body_limit import portal_channel
    from app.security_headers import static_headers

    app = create_app()
    # Behind a load balancer (TRUSTED_PROXY), the client's address and scheme come from its X-Forwarded-For
    # (the last hop, which the balancer added) and X-Forwarded-Proto; from anyone else they are dropped.
    proxy = ({"trusted_proxy": app.config["TRUSTED_PROXY"], "trusted_proxy_count": 1,
              "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}} if app.config["TRUSTED_PROXY"] else {})
    server = create_server(_access_log(app), sockets=[sock], threads=threads, ident="",
                           connection_limit=CONNECTION_LIMIT, channel_timeout=CHANNEL_TIMEOUT,
                           max_request_body_size=app.config["MAX_REQUEST_BODY_BYTES"],
                           clear_untrusted_proxy_headers=True, **proxy)
    server.channel_class = portal_channel(app.config["MAX_DOCUMENT_BYTES"], static_headers(app))
    server.run()


def _start(sock: socket.socket, threads: int) -> int:
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        child_dies_with_parent()
        try:
            _serve(sock, threads)
        finally:
            os._exit(1)
    return pid


def _stop(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def main(argv=None) -> int:
    try:
        Config()  # every setting checked once, before any process starts (a child would only crash)
        processes = whole_number("WEB_CONCURRENCY", 2, "a number of processes", 1, 64)
        threads = whole_number("WEB_THREADS", 8, "a number of threads", 1, 256)
    except ConfigError as exc:
        print(f"web: {exc}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT', '5000')}", help="HOST:PORT")
    parser.add_argument("--processes", type=int, default=processes)
    parser.add_argument("--threads", type=int, default=threads)
    args = parser.parse_args(argv)
    os.umask(0o077)  # uploaded documents and everything else written under instance/ stay private
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stdout)
    host, _, port = args.bind.rpartition(":")
    sock = socket.create_server((host.strip("[]") or "0.0.0.0", int(port)), backlog=2048,
                                family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        if stopping:
            return  # a second signal (Ctrl-C, then the launcher's SIGTERM) while the processes stop
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pids = {_start(sock, args.threads) for _ in range(max(1, args.processes))}
    log.info("serving on http://%s with %s processes x %s threads", args.bind, len(pids), args.threads)
    try:
        while True:
            pid, status = os.wait()
            pids.discard(pid)
            log.warning("web process %s exited (status %s); starting another", pid, status)
            time.sleep(RESPAWN_DELAY)
            pids.add(_start(sock, args.threads))
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(pids)


if __name__ == "__main__":
    sys.exit(main())
