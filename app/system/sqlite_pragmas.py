"""SQLite settings for several processes (web and workers) sharing one file.

WAL lets readers run while one process writes; synchronous=NORMAL is durable across application
crashes in WAL mode and saves an fsync per commit; busy_timeout makes a writer wait for the lock
instead of failing at once.
"""
from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
