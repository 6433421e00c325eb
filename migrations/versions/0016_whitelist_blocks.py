"""whitelist blocks: each address block's pieces of the whitelist across versions, and the blocks left to publish

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:40:00

Versions published before this revision keep their bodies as whole blobs. Every block holding approved space is
marked, so the first publication after it renders them all (the version it makes differs from the one before only
in its serial and date). A body assembled from blocks has no blob, so whitelist_files.sha256 no longer names one.
"""
import sqlalchemy as sa
from alembic import op

from app.export.blocks import block_of
from app.models.types import UInt128

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CHUNK = 50_000


def upgrade():
    op.create_table(
        "whitelist_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("from_serial", sa.Integer(), nullable=False),
        sa.Column("until_serial", sa.Integer(), nullable=True),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("lines_sha256", sa.String(length=64), nullable=False),
        sa.Column("lines_size", sa.Integer(), nullable=False),
        sa.Column("csv_sha256", sa.String(length=64), nullable=False),
        sa.Column("csv_size", sa.Integer(), nullable=False),
        sa.Column("json_sha256", sa.String(length=64), nullable=False),
        sa.Column("json_size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whitelist_blocks")),
    )
    with op.batch_alter_table("whitelist_blocks") as batch:
        batch.create_index("ix_whitelist_blocks_current", ["until_serial", "version", "block"], unique=False)
        batch.create_index("ix_whitelist_blocks_from", ["from_serial"], unique=False)
    op.create_table(
        "whitelist_dirty_blocks",
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("block", sa.Integer(), nullable=False, autoincrement=False),
        sa.PrimaryKeyConstraint("version", "block", name=op.f("pk_whitelist_dirty_blocks")),
    )
    with op.batch_alter_table("whitelist_files") as batch:
        batch.drop_constraint("fk_whitelist_files_sha256_whitelist_blobs", type_="foreignkey")
        batch.create_index("ix_whitelist_files_sha256", ["sha256"], unique=False)
    with op.batch_alter_table("approved_prefixes") as batch:
        batch.create_index("ix_approved_prefixes_width", ["version", "prefixlen"], unique=False)
    with op.batch_alter_table("applications") as batch:
        batch.create_index("ix_applications_expiry", ["expires_at"], unique=False)
    _mark_every_block()


def _mark_every_block():
    prefixes = sa.table("approved_prefixes", sa.column("id", sa.Integer), sa.column("version", sa.Integer),
                        sa.column("start", UInt128()), sa.column("end", UInt128()))
    connection = op.get_bind()
    keys, after = set(), 0
    while rows := connection.execute(sa.select(prefixes.c.id, prefixes.c.version, prefixes.c.start, prefixes.c.end)
                                      .where(prefixes.c.id > after).order_by(prefixes.c.id).limit(CHUNK)).all():
        keys |= {(row.version, block) for row in rows
                 for block in range(block_of(row.version, row.start), block_of(row.version, row.end) + 1)}
        after = rows[-1].id
    if keys:
        dirty = sa.table("whitelist_dirty_blocks", sa.column("version", sa.Integer), sa.column("block", sa.Integer))
        connection.execute(dirty.insert(), [{"version": version, "block": block} for version, block in sorted(keys)])


def downgrade():
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_expiry")
    with op.batch_alter_table("approved_prefixes") as batch:
        batch.drop_index("ix_approved_prefixes_width")
    with op.batch_alter_table("whitelist_files") as batch:
        batch.drop_index("ix_whitelist_files_sha256")
        batch.create_foreign_key("fk_whitelist_files_sha256_whitelist_blobs", "whitelist_blobs", ["sha256"],
                                 ["sha256"])
    op.drop_table("whitelist_dirty_blocks")
    op.drop_table("whitelist_blocks")
