"""sms_codes: the codes that prove a mobile number on an application is the applicant's

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00

A code is kept as an HMAC, never as typed; until its SMS is sent it is also kept sealed (encrypted) for the SMS
job. The rows outlive the subscription they prove (its id becomes NULL), because the rate limits count them by
number and by account.
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sms_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_code", sa.LargeBinary(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("voided_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("send_failed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"],
                                name=op.f("fk_sms_codes_subscription_id_subscriptions"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sms_codes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_codes")),
    )
    op.create_index(op.f("ix_sms_codes_subscription_id"), "sms_codes", ["subscription_id"], unique=False)
    op.create_index("ix_sms_codes_number_created_at", "sms_codes", ["number", "created_at"], unique=False)
    op.create_index("ix_sms_codes_user_id_created_at", "sms_codes", ["user_id", "created_at"], unique=False)


def downgrade():
    op.drop_index("ix_sms_codes_user_id_created_at", table_name="sms_codes")
    op.drop_index("ix_sms_codes_number_created_at", table_name="sms_codes")
    op.drop_index(op.f("ix_sms_codes_subscription_id"), table_name="sms_codes")
    op.drop_table("sms_codes")
