"""Marking a fee paid: the one function the aggregator's callback, an admin's fallback and the embedded bank command
(`flask payments settle`) all go through. The payment row is locked and moved pending -> paid by a compare-and-set;
every refusal leaves it as it was, with a code saying why (PaymentRefused.reason). The caller commits.
"""
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.choices import PaymentChannel, PaymentState
from app.extensions import db
from app.i18n import Phrase, _
from app.models import Payment
from app.models.types import utcnow
from app.services import ServiceError
from app.services.fees.charges import state_now
from app.services.fees.references import normalised
from app.services.fees.rule import amount_text
from app.services.locks import locked
from app.services.notifications import notify

RECEIPT_ATTACHMENT = "receipt:%d"  # Notification.attachment of the "payment received" email


class PaymentRefused(ServiceError):
    """A settlement refused; `reason` is the code the callback log keeps (and the API's error code)."""

    STATUS = {"malformed_reference": 422, "unknown_reference": 404, "expired_reference": 409,
              "cancelled_reference": 409, "already_paid": 409, "txn_reused": 409, "wrong_amount": 422,
              "bad_body": 422, "bad_signature": 401, "stale_timestamp": 401, "not_configured": 403}

    def __init__(self, reason: str, message: str, field: str | None = None, payment: Payment | None = None):
        super().__init__(message, field=field, details={"reason": reason})
        self.reason = self.code = reason
        self.status = self.STATUS[reason]
        self.payment = payment


class AlreadyRecorded(Exception):
    """The same transaction again (an aggregator retrying): nothing to change, and nothing wrong."""

    def __init__(self, payment: Payment):
        super().__init__(payment.reference)
        self.payment = payment


def find_for_settlement(reference) -> Payment:
    """The payment of `reference`, locked; refused when the text is no reference or names none."""
    digits = normalised(reference)
    if digits is None:
        raise PaymentRefused("malformed_reference", _(
            "%(value)s is not a payment reference: a reference is 17 digits whose last is a check digit; copy it "
            "again from the payment slip.", value=repr(reference)[:40]), field="reference")
    found = locked(select(Payment).where(Payment.reference == digits))
    if not found:
        raise PaymentRefused("unknown_reference", _("No fee has the payment reference %(reference)s.",
                                                    reference=digits), field="reference")
    return found[0]


def settle(reference, amount: int, channel: str, paid_at: datetime | None = None, provider_txn_id: str | None = None,
           bank_reference: str | None = None, actor=None) -> Payment:
    """Mark the fee of `reference` paid with `amount` rupees; refused (PaymentRefused) for an unknown, expired,
    cancelled or already paid reference, a transaction id already used, or an amount other than the fee. The same
    provider transaction again raises AlreadyRecorded."""
    if channel not in PaymentChannel.ALL:
        raise ValueError(f"unknown payment channel {channel!r}")
    payment = find_for_settlement(reference)
    if payment.state == PaymentState.PAID:
        if provider_txn_id is not None and payment.provider_txn_id == provider_txn_id:
            raise AlreadyRecorded(payment)
        raise PaymentRefused("already_paid", _("Payment reference %(reference)s was already paid on %(day)s; nothing "
                                               "was changed.", reference=payment.reference,
                                               day=payment.paid_at.strftime("%Y-%m-%d")), payment=payment)
    if provider_txn_id is not None and db.session.scalar(
            select(Payment.id).where(Payment.provider_txn_id == provider_txn_id)) is not None:
        raise PaymentRefused("txn_reused", _("Transaction %(txn)s already paid another reference; nothing was changed.",
                                             txn=repr(provider_txn_id)[:60]), field="provider_txn_id", payment=payment)
    state = state_now(payment)
    if state == PaymentState.CANCELLED:
        raise PaymentRefused("cancelled_reference", _("Payment reference %(reference)s was cancelled: the application "
                                                      "no longer owes a fee.", reference=payment.reference),
                             payment=payment)
    if state == PaymentState.EXPIRED:
        raise PaymentRefused("expired_reference", _("Payment reference %(reference)s expired on %(day)s; the "
                                                    "applicant renews it and pays with the new one.",
                                                    reference=payment.reference,
                                                    day=payment.expires_at.strftime("%Y-%m-%d")), payment=payment)
    if amount != payment.amount:
        raise PaymentRefused("wrong_amount", _("Payment reference %(reference)s is for %(due)s, not %(paid)s; nothing "
                                               "was changed.", reference=payment.reference,
                                               due=amount_text(payment.amount), paid=amount_text(amount)),
                             field="amount", payment=payment)
    paid_at = paid_at or utcnow()
    try:
        with db.session.begin_nested():  # the unique index on the transaction id has the last word (a race)
            changed = db.session.execute(
                update(Payment).where(Payment.id == payment.id, Payment.state == PaymentState.PENDING)
                .values(state=PaymentState.PAID, paid_at=paid_at, paid_via=channel, provider_txn_id=provider_txn_id,
                        bank_reference=bank_reference, settled_by_id=getattr(actor, "id", None))
                .execution_options(synchronize_session=False))
    except IntegrityError:
        raise PaymentRefused("txn_reused", _("Transaction %(txn)s already paid another reference; nothing was "
                                             "changed.", txn=repr(provider_txn_id)[:60]), field="provider_txn_id",
                             payment=payment) from None
    if changed.rowcount != 1:  # the row is locked, so only a path that skipped the lock gets here
        raise PaymentRefused("already_paid", _("Payment reference %(reference)s changed while this was being done; "
                                               "nothing was changed.", reference=payment.reference), payment=payment)
    db.session.refresh(payment)
    audit.record("payment.settled", payment.application, actor=actor, payment_id=payment.id,
                 reference=payment.reference, amount=payment.amount, currency=payment.currency, via=channel,
                 paid_at=paid_at, provider_txn_id=provider_txn_id, bank_reference=bank_reference)
    _tell_paid(payment)
    return payment


def _tell_paid(payment: Payment) -> None:
    """"Payment received", with the receipt attached to the email (made when the mail job builds it)."""
    application = payment.application
    notify(application.applicant, Phrase("Payment received for application %(id)s", id=application.id),
           Phrase("We received %(amount)s for application %(id)s (payment reference %(reference)s). The receipt is "
                  "attached, and on the application's page.", id=application.id, amount=f"PKR {payment.amount:,}",
                  reference=payment.reference),
           link=f"/applications/{application.id}#fee", attachment=RECEIPT_ATTACHMENT % payment.id)
