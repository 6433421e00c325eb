"""Column types that keep typed values at the database edge, identical on SQLite and PostgreSQL."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, LargeBinary, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator


class UInt128(TypeDecorator):
    """An unsigned 128-bit integer (an IPv4 or IPv6 address) as 16 big-endian bytes.

    Neither database has a 128-bit integer, NUMERIC turns into a float on SQLite, and byte strings
    compare bytewise on both, so range queries (start <= x AND end >= y) stay index-friendly.
    """

    impl = LargeBinary(16)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(value).to_bytes(16, "big")

    def process_result_value(self, value, dialect):
        return None if value is None else int.from_bytes(value, "big")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Network(TypeDecorator):
    """A CIDR as canonical text ('39.32.12.0/24'); PostgreSQL's own cidr type there.

    PostgreSQL needs cidr for the exclusion constraint on approved space; psycopg hands cidr back
    as an ipaddress network, turned back into the same text here so both databases read alike.
    """

    impl = String(43)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.CIDR())
        return dialect.type_descriptor(String(43))

    def process_bind_param(self, value, dialect):
        return None if value is None else str(value)

    def process_result_value(self, value, dialect):
        return None if value is None else str(value)
