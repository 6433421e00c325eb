"""subscriptions: register a connection (mobile number or fixed-line account) instead of an address

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 06:00:00

Most freelancers work on mobile data or home broadband whose address changes; they register the connection
itself. ISP organisations get a kind (fixed or mobile) and the four mobile operators exist from here on; an
application holds subscriptions beside its entries; findings may be about one; the approved ones are kept as
the approved prefixes are, and on PostgreSQL the database refuses one operator's identifier approved for two
applicants.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

MOBILE_OPERATORS = ("Jazz", "Zong", "Telenor", "Ufone")  # as app.choices.MOBILE_OPERATORS on this day


def upgrade():
    with op.batch_alter_table("isp_organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), nullable=False, server_default="fixed"))
    with op.batch_alter_table("isp_organisations", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
    _add_mobile_operators()

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["isp_organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_application_id"), ["application_id"], unique=False)
        batch_op.create_index("ix_subscriptions_identifier", ["identifier", "organisation_id"], unique=False)

    op.create_table(
        "approved_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["applicant_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["isp_organisations.id"]),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("approved_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approved_subscriptions_application_id"), ["application_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_approved_subscriptions_organisation_id"), ["organisation_id"],
                              unique=False)
        batch_op.create_index("ix_approved_subscriptions_identifier", ["identifier", "organisation_id"],
                              unique=False)

    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subscription_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_findings_subscription_id", "subscriptions", ["subscription_id"], ["id"])

    if op.get_bind().dialect.name == "postgresql":  # btree_gist: migration 0004
        op.execute("""
            ALTER TABLE approved_subscriptions ADD CONSTRAINT approved_subscriptions_one_applicant
            EXCLUDE USING gist (organisation_id WITH =, identifier WITH =, applicant_id WITH <>)
        """)


def _add_mobile_operators():
    """The mobile operators, as organisations of kind mobile: an existing one of the same name (in any case;
    an admin may have added it as an ISP) becomes mobile, a missing one is created."""
    organisations = sa.table("isp_organisations", sa.column("id", sa.Integer()), sa.column("name", sa.String()),
                             sa.column("kind", sa.String()), sa.column("created_at", UTCDateTime()))
    connection = op.get_bind()
    existing = {name.lower(): id_ for id_, name in connection.execute(sa.select(organisations.c.id,
                                                                                organisations.c.name))}
    for name in MOBILE_OPERATORS:
        if name.lower() in existing:
            connection.execute(organisations.update().where(organisations.c.id == existing[name.lower()])
                               .values(kind="mobile"))
        else:
            connection.execute(organisations.insert().values(name=name, kind="mobile",
                                                             created_at=datetime.now(timezone.utc)))


def downgrade():
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_findings_subscription_id", type_="foreignkey")
        batch_op.drop_column("subscription_id")
    op.drop_table("approved_subscriptions")
    op.drop_table("subscriptions")
    with op.batch_alter_table("isp_organisations", schema=None) as batch_op:
        batch_op.drop_column("kind")
