"""confirmations per organisation, and the operators' subscriber feeds in every version

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 07:00:00

An application is confirmed by every organisation that serves a part of it (the profile's ISP for its address
entries, each operator for its subscriptions), so a confirmation is unique per (application, organisation)
instead of per application. Each published version carries, per organisation with approved subscriptions, its
subscriber feed (csv, json, radius), stored like the whitelist's formats, and the number of subscriptions.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # batch_alter_table recreates the table on SQLite (which cannot drop a constraint) and alters it on PostgreSQL.
    with op.batch_alter_table("isp_confirmations", schema=None) as batch_op:
        batch_op.drop_constraint("uq_isp_confirmations_application_id", type_="unique")
        batch_op.create_unique_constraint("uq_isp_confirmations_application_organisation",
                                          ["application_id", "organisation_id"])
        batch_op.create_index(batch_op.f("ix_isp_confirmations_application_id"), ["application_id"], unique=False)
        batch_op.add_column(sa.Column("subscriptions_digest", sa.String(length=64), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("isp_confirmations", schema=None) as batch_op:
        batch_op.alter_column("subscriptions_digest", server_default=None)

    with op.batch_alter_table("whitelist_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subscription_count", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("whitelist_versions", schema=None) as batch_op:
        batch_op.alter_column("subscription_count", server_default=None)

    op.create_table(
        "subscriber_files",
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["isp_organisations.id"],
                                name=op.f("fk_subscriber_files_organisation_id_isp_organisations")),
        sa.ForeignKeyConstraint(["serial"], ["whitelist_versions.serial"],
                                name=op.f("fk_subscriber_files_serial_whitelist_versions")),
        sa.ForeignKeyConstraint(["sha256"], ["whitelist_blobs.sha256"],
                                name=op.f("fk_subscriber_files_sha256_whitelist_blobs")),
        sa.PrimaryKeyConstraint("serial", "organisation_id", "format", name=op.f("pk_subscriber_files")),
    )


def downgrade():
    op.drop_table("subscriber_files")
    with op.batch_alter_table("whitelist_versions", schema=None) as batch_op:
        batch_op.drop_column("subscription_count")
    # Back to one confirmation per application: keep the profile ISP's (the oldest) row of each application.
    op.execute("DELETE FROM isp_confirmations WHERE id NOT IN "
               "(SELECT MIN(id) FROM isp_confirmations GROUP BY application_id)")
    with op.batch_alter_table("isp_confirmations", schema=None) as batch_op:
        batch_op.drop_column("subscriptions_digest")
        batch_op.drop_index(batch_op.f("ix_isp_confirmations_application_id"))
        batch_op.drop_constraint("uq_isp_confirmations_application_organisation", type_="unique")
        batch_op.create_unique_constraint("uq_isp_confirmations_application_id", ["application_id"])
