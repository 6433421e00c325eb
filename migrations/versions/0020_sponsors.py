"""sponsors: organisations that vouch for their members, the member files they upload, and the invitations

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:30:00

A sponsor (association, employer, co-working space, platform) has users of role `sponsor` (sponsor_users), is
approved once by a reviewer from its papers (sponsor_documents), uploads member files (sponsor_imports, kept as uploaded with the problems found) and,
from a clean file, invites each member (sponsor_invitations); an application made from an accepted invitation
names its sponsor (applications.sponsor_id). Nothing existing changes meaning: every new column is NULL on old rows.
"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sponsors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("registration_number", sa.String(length=60), nullable=True),
        sa.Column("signatory_name", sa.String(length=200), nullable=True),
        sa.Column("signatory_cnic", sa.String(length=20), nullable=True),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", app.models.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", app.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsors")),
        sa.UniqueConstraint("name", name=op.f("uq_sponsors_name")),
    )
    op.create_index(op.f("ix_sponsors_state"), "sponsors", ["state"], unique=False)
    op.create_table(
        "sponsor_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", app.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["sponsor_id"], ["sponsors.id"],
                                name=op.f("fk_sponsor_documents_sponsor_id_sponsors")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_sponsor_documents_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_documents")),
        sa.UniqueConstraint("sponsor_id", "kind", name="uq_sponsor_documents_sponsor_kind"),
    )
    op.create_table(
        "sponsor_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("created_at", app.models.types.UTCDateTime(), nullable=False),
        sa.Column("imported_at", app.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["sponsor_id"], ["sponsors.id"], name=op.f("fk_sponsor_imports_sponsor_id_sponsors")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_sponsor_imports_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_imports")),
    )
    op.create_index(op.f("ix_sponsor_imports_sponsor_id"), "sponsor_imports", ["sponsor_id"], unique=False)
    op.create_table(
        "sponsor_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("cnic", sa.String(length=20), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", app.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["sponsor_id"], ["sponsors.id"],
                                name=op.f("fk_sponsor_invitations_sponsor_id_sponsors")),
        sa.ForeignKeyConstraint(["import_id"], ["sponsor_imports.id"],
                                name=op.f("fk_sponsor_invitations_import_id_sponsor_imports")),
        sa.ForeignKeyConstraint(["member_id"], ["users.id"], name=op.f("fk_sponsor_invitations_member_id_users")),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_sponsor_invitations_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sponsor_invitations_token_hash")),
    )
    for column in ("sponsor_id", "import_id", "email", "cnic", "state", "member_id"):
        op.create_index(op.f(f"ix_sponsor_invitations_{column}"), "sponsor_invitations", [column], unique=False)
    op.create_table(
        "sponsor_users",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sponsor_users_user_id_users")),
        sa.ForeignKeyConstraint(["sponsor_id"], ["sponsors.id"], name=op.f("fk_sponsor_users_sponsor_id_sponsors")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_sponsor_users")),
    )
    op.create_index(op.f("ix_sponsor_users_sponsor_id"), "sponsor_users", ["sponsor_id"], unique=False)
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("sponsor_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_applications_sponsor_id_sponsors"), "sponsors", ["sponsor_id"], ["id"])
        batch.create_index(op.f("ix_applications_sponsor_id"), ["sponsor_id"], unique=False)


def downgrade():
    op.drop_table("sponsor_invitations")
    op.drop_table("sponsor_imports")
    op.drop_table("sponsor_users")
    op.drop_table("sponsor_documents")
    with op.batch_alter_table("applications") as batch:
        batch.drop_index(op.f("ix_applications_sponsor_id"))
        batch.drop_constraint(op.f("fk_applications_sponsor_id_sponsors"), type_="foreignkey")
        batch.drop_column("sponsor_id")
    op.drop_index(op.f("ix_sponsors_state"), table_name="sponsors")
    op.drop_table("sponsors")
