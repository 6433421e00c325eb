"""isp.pending findings become warnings: an ISP's unanswered confirmation shows in the queue's worst finding

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 04:00:00

Data only, no schema change. Validation now writes isp.pending as a warning (it was info); findings written
before would stay info until their application is validated again, and the queue would not show them.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE findings SET severity = 'warning' WHERE code = 'isp.pending' AND severity = 'info'")


def downgrade():
    op.execute("UPDATE findings SET severity = 'info' WHERE code = 'isp.pending' AND severity = 'warning'")
