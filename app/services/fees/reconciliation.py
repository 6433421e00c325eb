"""Reconciliation: references by state, as the admin page lists them and its CSV exports them.

"expired" includes a pending reference past its time whose row still says pending (charges.state_now): the
list shows what the bank will and will not accept today.
"""
import csv
import io
from collections.abc import Iterator

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from app.choices import PaymentState
from app.extensions import db
from app.i18n import _
from app.models import Payment, User
from app.models.types import utcnow
from app.services import ServiceError
from app.services.fees.charges import state_now
from app.spreadsheet import safe_cell

CSV_COLUMNS = ("reference", "state", "amount", "currency", "application_id", "applicant", "ntn", "cnic",
               "created_at", "expires_at", "paid_at", "paid_via", "provider_txn_id", "bank_reference",
               "renewal_of")
PAGE = 200


def _query(state: str | None) -> Select:
    if state is not None and state not in PaymentState.ALL:
        raise ServiceError(_("%(value)s is not a payment state; use one of %(choices)s.", value=repr(state)[:40],
                             choices=", ".join(PaymentState.ALL)), field="state")
    query = select(Payment).options(selectinload(Payment.applicant).selectinload(User.profile))
    now = utcnow()
    if state == PaymentState.PENDING:
        query = query.where(Payment.state == PaymentState.PENDING, Payment.expires_at > now)
    elif state == PaymentState.EXPIRED:
        query = query.where(or_(Payment.state == PaymentState.EXPIRED,
                                and_(Payment.state == PaymentState.PENDING, Payment.expires_at <= now)))
    elif state is not None:
        query = query.where(Payment.state == state)
    return query.order_by(Payment.id.desc())


def payments(state: str | None = None, limit: int = PAGE) -> list[Payment]:
    """The newest `limit` payments in `state` (None: all)."""
    return list(db.session.scalars(_query(state).limit(limit)))


def csv_lines(state: str | None = None, batch_size: int = 1_000) -> Iterator[str]:
    """Every payment in `state` as CSV, streamed; each cell passed through safe_cell (no formula runs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    now = utcnow()
    for n, payment in enumerate(db.session.scalars(_query(state).execution_options(yield_per=batch_size)), 1):
        profile = payment.applicant.profile
        writer.writerow([safe_cell(value) for value in (
            payment.reference, state_now(payment, now), payment.amount, payment.currency, payment.application_id,
            profile.name if profile else payment.applicant.email, profile.ntn if profile else None,
            profile.cnic if profile else None, payment.created_at.isoformat(), payment.expires_at.isoformat(),
            payment.paid_at.isoformat() if payment.paid_at else None, payment.paid_via, payment.provider_txn_id,
            payment.bank_reference, payment.renewal_of_id)])
        if n % batch_size == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    chunk = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return chunk
