"""feeds by rows part: an operator's feed whose subscriptions did not change keeps its rows, with a new head

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:30:00

A subscriber feed body is a head (serial, time, organisation, count) and a rows part. From this revision a feed
file records its head and the sha256 of its rows part (a blob shared by every version in which that operator's
subscriptions are the same); its whole body has no blob of its own, so subscriber_files.sha256 no longer names
one. Files written before keep their whole bodies as blobs (head and rows_sha256 empty). whitelist_dirty_feeds
holds the organisations whose subscriptions changed since the last publication; none is marked here: the first
publication after this revision renders every feed, since the version before has no rows parts to reuse.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "whitelist_dirty_feeds",
        sa.Column("organisation_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["isp_organisations.id"],
                                name=op.f("fk_whitelist_dirty_feeds_organisation_id_isp_organisations")),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_whitelist_dirty_feeds")),
    )
    with op.batch_alter_table("subscriber_files") as batch:
        batch.add_column(sa.Column("head", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("rows_sha256", sa.String(length=64), nullable=True))
        batch.drop_constraint("fk_subscriber_files_sha256_whitelist_blobs", type_="foreignkey")
        batch.create_index("ix_subscriber_files_sha256", ["sha256"], unique=False)


def downgrade():
    with op.batch_alter_table("subscriber_files") as batch:
        batch.drop_index("ix_subscriber_files_sha256")
        batch.create_foreign_key("fk_subscriber_files_sha256_whitelist_blobs", "whitelist_blobs", ["sha256"],
                                 ["sha256"])
        batch.drop_column("rows_sha256")
        batch.drop_column("head")
    op.drop_table("whitelist_dirty_feeds")
