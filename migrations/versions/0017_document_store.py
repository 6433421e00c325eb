"""document store: documents' bytes in the database, one blob per sha256 in chunks; documents.stored_name legacy

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 15:00:00

This revision only changes the schema: it neither reads nor needs the instance folder. Documents uploaded before it
keep their files under instance/documents/ (their stored_name), and are still served from there, until
`flask documents migrate` moves each file into the document store, checked against the document's sha256, and
clears its stored_name (resumable: run it again after an interruption).

Downgrading refuses while any document lives only in the store (stored_name NULL): the older code could not read it.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_document_blobs")),
    )
    op.create_table(
        "document_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["document_blobs.sha256"],
                                name=op.f("fk_document_chunks_sha256_document_blobs")),
        sa.PrimaryKeyConstraint("sha256", "seq", name=op.f("pk_document_chunks")),
    )
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("stored_name", existing_type=sa.String(length=100), nullable=True)


def downgrade():
    documents = sa.table("documents", sa.column("stored_name", sa.String))
    only_in_store = op.get_bind().scalar(sa.select(sa.func.count()).select_from(documents)
                                         .where(documents.c.stored_name.is_(None)))
    if only_in_store:
        raise RuntimeError(f"{only_in_store} documents live only in the document store, which revision 0016 cannot "
                           "read; downgrading would lose them.")
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("stored_name", existing_type=sa.String(length=100), nullable=False)
    op.drop_table("document_chunks")
    op.drop_table("document_blobs")
