"""languages: each account's chosen language, and findings kept as translatable phrases

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:20:00

Both columns are nullable: an account that never chose a language follows its browser, and a finding stored
before this revision keeps its English text.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("phrases", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("phrases")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
