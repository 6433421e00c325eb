"""`flask fees set|list`: the fee schedule; `flask payments settle|list`: the embedded bank, and the references."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.choices import DEFAULT_FEE_THRESHOLD, PaymentChannel
from app.cli.changes import committed_change
from app.extensions import db
from app.models import Payment
from app.services import ServiceError
from app.services.fees import reconciliation
from app.services.fees.references import normalised
from app.services.fees.schedule import ScheduleInput, add_schedule, all_schedules
from app.services.fees.settlement import AlreadyRecorded, settle

fees = AppGroup("fees", help="The fee schedule: what each category costs from which day.")
payments = AppGroup("payments", help="Payment references: list them; settle one as the bank would (embedded mode).")


@fees.command("set")
@click.argument("category")
@click.argument("amount")
@click.option("--from", "effective_from", required=True, help="The day it takes effect, YYYY-MM-DD (today or later).")
@click.option("--threshold", default=str(DEFAULT_FEE_THRESHOLD), show_default=True,
              help="Addresses (with those already approved for the applicant) from which the fee is due.")
def set_fee(category: str, amount: str, effective_from: str, threshold: str) -> None:
    """CATEGORY costs AMOUNT rupees from --from on, e.g. `flask fees set call_center 50000 --from 2027-01-01`."""
    row = committed_change(lambda: add_schedule(ScheduleInput(category, amount, effective_from, threshold)))
    click.echo(f"{row.category}: PKR {row.amount:,} from {row.effective_from.isoformat()} "
               f"at {row.threshold} or more addresses.")


@fees.command("list")
def list_fees() -> None:
    """Every schedule row: category, amount, threshold, effective date."""
    for row in all_schedules():
        click.echo(f"{row.category} PKR {row.amount:,} threshold {row.threshold} from {row.effective_from.isoformat()}")


@payments.command("settle")
@click.argument("reference")
@click.option("--amount", help="Rupees received; by default the fee's own amount.")
@click.option("--bank-reference", help="The bank's own reference for the payment, kept with it.")
def settle_payment(reference: str, amount: str | None, bank_reference: str | None) -> None:
    """Mark REFERENCE paid, as the bank's confirmation would: the same checks and trail as the aggregator's callback."""
    if amount is not None and not (amount.isascii() and amount.isdigit() and len(amount) <= 12):
        raise click.ClickException(f"--amount {amount!r} is not whole rupees; write it as digits, e.g. 50000.")

    def pay():
        due = db.session.scalar(select(Payment.amount).where(Payment.reference == normalised(reference)))
        paid = due if amount is None else int(amount)
        return settle(reference, paid, PaymentChannel.BANK_COMMAND, bank_reference=bank_reference)
    try:
        payment = committed_change(pay)
    except AlreadyRecorded:  # only a provider transaction id repeats; the command gives none
        raise click.ClickException("already recorded") from None
    click.echo(f"{payment.reference} paid: PKR {payment.amount:,}, application {payment.application_id}.")


@payments.command("list")
@click.option("--state", help="pending, paid, expired or cancelled; all by default.")
def list_payments(state: str | None) -> None:
    """The references as the reconciliation CSV has them (CSV on standard output)."""
    try:
        for chunk in reconciliation.csv_lines(state):
            click.echo(chunk, nl=False)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
