"""applicant notes to the reviewer, findings in a reviewer's words, and the new-application form's key

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 05:00:00

An applicant may tell the reviewer why (a range another ISP carries, a shared address) on the application
and on each entry; a finding keeps a reviewer's wording beside the applicant's ("the ISP in the applicant's
profile", not "in your profile"); a draft remembers the new-application form that made it, so the same form
sent again (Back, then Save draft) changes it instead of making a second one.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("applications", sa.Column("applicant_note", sa.Text(), nullable=True))
    op.add_column("applications", sa.Column("form_key", sa.String(length=32), nullable=True))
    op.create_index("ix_applications_form_key", "applications", ["applicant_id", "form_key"], unique=True)
    op.add_column("address_entries", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("findings", sa.Column("reviewer_message", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("findings", "reviewer_message")
    op.drop_column("address_entries", "note")
    op.drop_index("ix_applications_form_key", table_name="applications")
    op.drop_column("applications", "form_key")
    op.drop_column("applications", "applicant_note")
