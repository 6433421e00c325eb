"""Riding out a PostgreSQL restart (an upgrade, a failover, `pg_ctlcluster ... restart`).

For a second or so while it restarts, PostgreSQL refuses connections ("the database system is shutting down",
"... is starting up", connection refused). pool_pre_ping finds a pooled connection dead and opens another; here
opening one that is refused for such a reason is tried again, for up to DATABASE_CONNECT_WAIT seconds, so a
request that arrives during the restart waits a moment instead of failing. Only a request with a statement in
flight at the instant loses its connection; app.errors answers it 503 with Retry-After. A refusal of another kind
(a wrong password, a missing database) fails at once: waiting would not mend it.
"""
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

# What psycopg's OperationalError says while the server restarts, or for the instant it does not listen.
TRANSIENT_REFUSALS = (
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "connection refused",
    "no such file or directory",  # its unix socket, removed until it listens again
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
)
FIRST_PAUSE, LONGEST_PAUSE = 0.05, 0.5  # seconds between tries, doubling


def is_transient(exc: Exception) -> bool:
    message = str(exc).lower()
    return any(refusal in message for refusal in TRANSIENT_REFUSALS)


def wait_through_restarts(engine: Engine, seconds: float) -> None:
    """Make `engine` (PostgreSQL) try a refused connection again for up to `seconds`."""
    if engine.dialect.name != "postgresql" or seconds <= 0:
        return

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, connection_record, cargs, cparams):
        deadline, pause = time.monotonic() + seconds, FIRST_PAUSE
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError as exc:
                remaining = deadline - time.monotonic()
                if not is_transient(exc) or remaining <= 0:
                    raise
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, LONGEST_PAUSE)
