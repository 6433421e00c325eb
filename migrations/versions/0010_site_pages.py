"""site_pages: the help, contact and privacy pages as an admin last saved them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 09:00:00

A page with no row shows the default text that ships with the code (app/services/site_pages/defaults/),
so a new installation needs no rows here and an unedited page gets the improved default of a later release.
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_pages",
        sa.Column("slug", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_site_pages_updated_by_id_users")),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_site_pages")),
    )


def downgrade():
    op.drop_table("site_pages")
