"""audit_events is append-only: the database refuses UPDATE and DELETE

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00

The application never updates or deletes an event; these triggers make the database refuse it
too, so that rewriting history needs a privileged DROP TRIGGER that is itself visible. TRUNCATE
is not a row event and stays available to the test suite's reset.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "audit_events is append-only"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
            END
            $$
        """)
        op.execute("""
            CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
        """)
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_events_no_{operation.lower()} BEFORE {operation} ON audit_events
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} refused'); END
            """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
