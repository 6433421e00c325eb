"""job_outbox: a job is a row written with the change that needs it, sent to Redis after the commit

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 04:00:00

When Redis was frozen or away at the moment of the commit, the change stood and its job was lost
(an application stayed `validating` with no job). Now the job waits in this table until it is sent.
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=40), nullable=False),
        sa.Column("function", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.String(length=100), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_outbox")),
    )
    op.create_index(op.f("ix_job_outbox_created_at"), "job_outbox", ["created_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_job_outbox_created_at"), table_name="job_outbox")
    op.drop_table("job_outbox")
