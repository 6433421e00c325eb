"""audit trail: refuse inserts at or below the head; signed checkpoints of the head

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 00:10:00

SQLite's INSERT OR REPLACE (and an UPSERT) replaced a past event without firing the DELETE trigger
of 0002. A BEFORE INSERT trigger now refuses any seq at or below the head, on both databases, and
the new audit_checkpoints table (signed heads) gets the same protection as the events.
"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", app.models.types.UTCDateTime(), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoints")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_insert_at_head() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE head integer;
            BEGIN
                EXECUTE format('SELECT coalesce(max(seq), 0) FROM %I', TG_TABLE_NAME) INTO head;
                IF NEW.seq <= head THEN
                    RAISE EXCEPTION '% is append-only: INSERT of seq % at or below the head % refused',
                        TG_TABLE_NAME, NEW.seq, head USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END
            $$
        """)
        op.execute("""
            CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
        """)
        for table in ("audit_events", "audit_checkpoints"):
            op.execute(f"CREATE TRIGGER {table}_insert_at_head BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION audit_insert_at_head()")
        op.execute("CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()")
    else:
        for table in ("audit_events", "audit_checkpoints"):
            op.execute(f"""
                CREATE TRIGGER {table}_insert_at_head BEFORE INSERT ON {table}
                WHEN NEW.seq <= (SELECT coalesce(max(seq), 0) FROM {table})
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: INSERT at or below the head refused'); END
            """)
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_checkpoints_no_{operation.lower()} BEFORE {operation} ON audit_checkpoints
                BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only: {operation} refused'); END
            """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_insert_at_head ON audit_events")
        op.execute("DROP TABLE audit_checkpoints")
        op.execute("DROP FUNCTION IF EXISTS audit_insert_at_head()")
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_insert_at_head")
        op.drop_table("audit_checkpoints")
