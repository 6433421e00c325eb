"""Where an application's fee stands, as the applicant's page and the API show it: the fee already due (its
reference and state), or the fee submitting would make due (shown before submitting), or none."""
from dataclasses import dataclass
from datetime import datetime

from app.choices import PaymentState, State
from app.models import Application
from app.services.fees.charges import current_payment, state_now
from app.services.fees.rule import amount_text, quote, reason

DUE_ON_SUBMIT = "due_on_submit"  # not a payment state: no reference yet, one is made when the application is submitted


@dataclass(frozen=True)
class FeeStanding:
    amount: int
    currency: str
    reason: str
    state: str                 # a PaymentState, or DUE_ON_SUBMIT
    reference: str | None = None
    expires_at: datetime | None = None
    paid_at: datetime | None = None

    @property
    def amount_text(self) -> str:
        return amount_text(self.amount, self.currency)

    @property
    def paid(self) -> bool:
        return self.state == PaymentState.PAID

    @property
    def renewable(self) -> bool:
        return self.state == PaymentState.EXPIRED


def fee_standing(application: Application) -> FeeStanding | None:
    payment = current_payment(application.id)
    if payment is not None and payment.state != PaymentState.CANCELLED:
        return FeeStanding(payment.amount, payment.currency,
                           reason(application.category, payment.threshold, payment.addresses), state_now(payment),
                           payment.reference, payment.expires_at, payment.paid_at)
    if application.state not in State.EDITABLE:
        return None
    owed = quote(application)
    if owed is None:
        return None
    return FeeStanding(owed.amount, "PKR", reason(application.category, owed.schedule.threshold, owed.addresses),
                       DUE_ON_SUBMIT)
