"""fees: a fee schedule per category, payments with their references, the aggregator's callbacks, and an email's
attachment (a payment's receipt)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 18:30:00

Nothing is seeded: the schedule is set by `flask fees set CATEGORY AMOUNT --from DATE` or on the admin page.
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fee_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_fee_schedules_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedules")),
    )
    op.create_index("ix_fee_schedules_category_from", "fee_schedules", ["category", "effective_from"], unique=True)
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=17), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("addresses", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("renewal_of_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", UTCDateTime(), nullable=True),
        sa.Column("paid_via", sa.String(length=20), nullable=True),
        sa.Column("provider_txn_id", sa.String(length=100), nullable=True),
        sa.Column("bank_reference", sa.String(length=100), nullable=True),
        sa.Column("settled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["users.id"], name=op.f("fk_payments_applicant_id_users")),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_payments_application_id_applications")),
        sa.ForeignKeyConstraint(["renewal_of_id"], ["payments.id"], name=op.f("fk_payments_renewal_of_id_payments")),
        sa.ForeignKeyConstraint(["schedule_id"], ["fee_schedules.id"],
                                name=op.f("fk_payments_schedule_id_fee_schedules")),
        sa.ForeignKeyConstraint(["settled_by_id"], ["users.id"], name=op.f("fk_payments_settled_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("provider_txn_id", name=op.f("uq_payments_provider_txn_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    op.create_index("ix_payments_application_id", "payments", ["application_id"], unique=False)
    op.create_index("ix_payments_state", "payments", ["state", "expires_at"], unique=False)
    op.create_table(
        "payment_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("reference", sa.String(length=40), nullable=True),
        sa.Column("provider_txn_id", sa.String(length=100), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_payment_callbacks_payment_id_payments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_callbacks")),
    )
    op.create_index("ix_payment_callbacks_received_at", "payment_callbacks", ["received_at"], unique=False)
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("attachment", sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("attachment")
    op.drop_index("ix_payment_callbacks_received_at", table_name="payment_callbacks")
    op.drop_table("payment_callbacks")
    op.drop_index("ix_payments_state", table_name="payments")
    op.drop_index("ix_payments_application_id", table_name="payments")
    op.drop_table("payments")
    op.drop_index("ix_fee_schedules_category_from", table_name="fee_schedules")
    op.drop_table("fee_schedules")
