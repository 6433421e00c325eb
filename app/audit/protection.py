"""The database triggers that keep the trail append-only, and a check that they are all in force.

Migrations 0002 and 0005 create them. On SQLite `INSERT OR REPLACE` deletes the old row without firing
DELETE triggers, so an INSERT trigger refuses any seq at or below the head as well: with it, the
only way to rewrite history is to drop a trigger first, and verify_chain() names a missing one.
"""
from sqlalchemy import text
from sqlalchemy.engine import Connection

TABLES = ("audit_events", "audit_checkpoints")
TRIGGERS = {
    "sqlite": tuple(f"{table}_{guard}" for table in TABLES for guard in ("no_update", "no_delete", "insert_at_head")),
    "postgresql": tuple(f"{table}_{guard}" for table in TABLES for guard in ("append_only", "insert_at_head")),
}


def _present(connection: Connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        # tgenabled 'D' is a trigger switched off with ALTER TABLE ... DISABLE TRIGGER.
        return set(connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")).scalars())
    return set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def missing_triggers(connection: Connection) -> list[str]:
    """The protective triggers that are absent or disabled, in a fixed order."""
    present = _present(connection)
    return [name for name in TRIGGERS[connection.dialect.name] if name not in present]
