"""decision clock: each application's decision due time, the working time left while paused, and the holidays

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 10:20:00

Applications submitted before this revision get the due time the clock would have given them at submission (the
holiday list starts empty, so the configured working days and hours decide it); one paused in needs_info keeps
no remaining time and gets a whole DECISION_HOURS when it is submitted again.
"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

import app.models.types
from app.services.decision_clock import Calendar, due_at

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CHUNK = 5_000


def upgrade():
    op.create_table(
        "holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", app.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holidays")),
        sa.UniqueConstraint("day", name=op.f("uq_holidays_day")),
    )
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("decision_due_at", app.models.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("decision_clock_remaining", sa.Integer(), nullable=True))
        batch.create_index("ix_applications_due", ["decision_due_at", "id"], unique=False)
    _backfill()


def _backfill():
    config = current_app.config
    start, end = config["WORKING_HOURS"]
    calendar = Calendar(frozenset(config["WORKING_DAYS"]), start, end)
    hours = config["DECISION_HOURS"]
    applications = sa.table("applications", sa.column("id", sa.Integer),
                            sa.column("submitted_at", app.models.types.UTCDateTime()),
                            sa.column("decision_due_at", app.models.types.UTCDateTime()))
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(applications.c.id, applications.c.submitted_at)
            .where(applications.c.id > after, applications.c.submitted_at.is_not(None))
            .order_by(applications.c.id).limit(CHUNK)).all()
        if not rows:
            break
        connection.execute(applications.update().where(applications.c.id == sa.bindparam("row_id"))
                           .values(decision_due_at=sa.bindparam("due")),
                           [{"row_id": row.id, "due": due_at(row.submitted_at, hours, calendar)} for row in rows])
        after = rows[-1].id


def downgrade():
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_due")
        batch.drop_column("decision_clock_remaining")
        batch.drop_column("decision_due_at")
    op.drop_table("holidays")
