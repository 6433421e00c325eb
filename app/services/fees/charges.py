"""The fee an application owes: made due at submission, its reference renewed when it ran out, and what an approval
waits for. The caller commits.

An application's fee is its latest Payment row: a renewal adds a row (the old one `expired`), so the latest is the
one to pay. A fee, once due, keeps its amount through resubmissions (the schedule in force at first submission
stands); it is cancelled only if, resubmitted before paying, the application no longer reaches the threshold.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app import audit
from app.choices import PaymentState
from app.extensions import db
from app.i18n import Phrase, _
from app.models import Application, Payment
from app.models.types import utcnow
from app.services import Conflict
from app.services.fees.references import new_reference
from app.services.fees.rule import amount_text, quote
from app.services.id_lists import among
from app.services.locks import locked
from app.services.notifications import notify


def state_now(payment: Payment, now=None) -> str:
    """The payment's state as it stands: a pending reference past its time is expired, though its row waits for a
    renewal (or the reconciliation) to say so."""
    if payment.state == PaymentState.PENDING and payment.expires_at <= (now or utcnow()):
        return PaymentState.EXPIRED
    return payment.state


def current_payment(application_id: int) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.application_id == application_id)
                             .order_by(Payment.id.desc()).limit(1))


def _unique_reference() -> str:
    """A reference no payment holds (16 random digits: a clash is a one-in-10^15 event, checked all the same; the
    unique index is the last word)."""
    while True:
        reference = new_reference()
        if db.session.scalar(select(Payment.id).where(Payment.reference == reference)) is None:
            return reference


def _issue(application: Application, schedule_id: int, amount: int, addresses: int, threshold: int,
           renewal_of: Payment | None = None) -> Payment:
    days = current_app.config["PAYMENT_REFERENCE_DAYS"]
    payment = Payment(application_id=application.id, applicant_id=application.applicant_id, schedule_id=schedule_id,
                      reference=_unique_reference(), amount=amount, currency="PKR", addresses=addresses,
                      threshold=threshold, state=PaymentState.PENDING, expires_at=utcnow() + timedelta(days=days),
                      renewal_of_id=renewal_of.id if renewal_of else None)
    db.session.add(payment)
    db.session.flush()
    _tell_reference(application, payment)
    return payment


def _tell_reference(application: Application, payment: Payment) -> None:
    """The reference to the applicant, in the portal and by email (after the commit), in their language."""
    notify(application.applicant,
           Phrase("Fee for application %(id)s: payment reference %(reference)s", id=application.id,
                  reference=payment.reference),
           Phrase("Application %(id)s carries a fee of %(amount)s. Pay it at any bank or by an online payment "
                  "service with the payment reference %(reference)s before %(expires)s (UTC); a reviewer can "
                  "approve the application once it is paid, and you get a receipt.", id=application.id,
                  amount=f"PKR {payment.amount:,}", reference=payment.reference,
                  expires=payment.expires_at.strftime("%Y-%m-%d %H:%M")),
           link=f"/applications/{application.id}#fee")


def charge_on_submit(application: Application) -> Payment | None:
    """At submission: make the fee due (a new reference, sent to the applicant), keep one already due, or cancel an
    unpaid one the application no longer owes. Returns the fee the application now carries, if any."""
    current = current_payment(application.id)
    if current is not None and current.state == PaymentState.PAID:
        return current
    owed = quote(application)
    if current is not None and current.state in PaymentState.UNPAID:
        if owed is None:
            _cancel(application, current, "below the fee threshold at resubmission")
            return None
        return current
    if owed is None:
        return None
    payment = _issue(application, owed.schedule.id, owed.amount, owed.addresses, owed.schedule.threshold)
    audit.record("payment.reference_issued", application, payment_id=payment.id, reference=payment.reference,
                 amount=payment.amount, currency=payment.currency, addresses=payment.addresses,
                 threshold=payment.threshold, schedule_id=owed.schedule.id, expires_at=payment.expires_at)
    return payment


def _set_state(payment: Payment, was: str, now: str) -> None:
    """Compare-and-set: `payment` goes from `was` to `now`, or the change is refused (someone changed it first)."""
    changed = db.session.execute(update(Payment).where(Payment.id == payment.id, Payment.state == was)
                                 .values(state=now).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise Conflict(_("Payment reference %(reference)s changed while this was being done; reload and try again.",
                         reference=payment.reference))
    payment.state = now


def _cancel(application: Application, payment: Payment, reason: str) -> None:
    _set_state(payment, payment.state, PaymentState.CANCELLED)
    audit.record("payment.cancelled", application, payment_id=payment.id, reference=payment.reference,
                 reason=reason)


def cancel_unpaid(application: Application, reason: str) -> None:
    """The application ended undecided or refused (withdrawn, rejected): an unpaid fee is no longer owed, and its
    reference is cancelled so that no bank takes money for it. A paid fee stays paid (a refund is the bank's)."""
    payment = current_payment(application.id)
    if payment is not None and payment.state in PaymentState.UNPAID:
        _cancel(application, payment, reason)


def renew(application: Application, actor=None) -> Payment:
    """A new reference for a fee whose reference ran out unpaid; the old one is marked expired. The caller
    commits."""
    payment = current_payment(application.id)
    if payment is None or payment.state in (PaymentState.PAID, PaymentState.CANCELLED):
        raise Conflict(_("Application %(id)s has no unpaid fee whose reference could be renewed.", id=application.id))
    payment = locked(select(Payment).where(Payment.id == payment.id))[0]
    if db.session.scalar(select(Payment.id).where(Payment.renewal_of_id == payment.id)) is not None:
        raise Conflict(_("Payment reference %(reference)s was renewed a moment ago; reload to see the new one.",
                         reference=payment.reference))  # two renewals at once: the second finds the first's
    if state_now(payment) != PaymentState.EXPIRED:
        raise Conflict(_("Payment reference %(reference)s is still valid until %(expires)s (UTC); pay with it.",
                         reference=payment.reference, expires=payment.expires_at.strftime("%Y-%m-%d %H:%M")))
    if payment.state == PaymentState.PENDING:
        _set_state(payment, PaymentState.PENDING, PaymentState.EXPIRED)
    renewed = _issue(application, payment.schedule_id, payment.amount, payment.addresses, payment.threshold,
                     renewal_of=payment)
    audit.record("payment.reference_renewed", application, actor=actor, payment_id=renewed.id,
                 reference=renewed.reference, expired_reference=payment.reference, amount=renewed.amount,
                 expires_at=renewed.expires_at)
    return renewed


def unpaid_fees(application_ids: list[int], lock: bool = False) -> dict[int, Payment]:
    """The applications among `application_ids` whose fee is not paid, with that fee (pending or expired);
    `lock`: lock those payment rows until the transaction ends (an approval's compare-and-set)."""
    if not application_ids:
        return {}
    latest = (select(func.max(Payment.id)).where(among(Payment.application_id, application_ids))
              .group_by(Payment.application_id))
    query = select(Payment).where(Payment.id.in_(latest.scalar_subquery()),
                                  Payment.state.in_(PaymentState.UNPAID)).order_by(Payment.id)
    rows = locked(query) if lock else db.session.scalars(query).all()
    return {payment.application_id: payment for payment in rows}


def unpaid_problem(payment: Payment) -> str:
    """Why an approval waits, naming the fee and its reference (for the reviewer and the batch's 409)."""
    return _("has an unpaid fee of %(amount)s (payment reference %(reference)s); it can be approved once the fee "
             "is paid", amount=amount_text(payment.amount, payment.currency), reference=payment.reference)
