"""The receipt of a paid fee, a one-page PDF made with fpdf2: reference, amount, date paid, applicant, NTN (and CNIC
for a freelancer), how it was paid. Made from the payment row each time it is asked for (download or email), so
there is no second copy to keep in step.

The text is English: the PDF's built-in fonts cover Latin-1 only, so a name in another script would need a font
file shipped with the portal. DejaVu Sans is used when the machine has it (names in any script it covers); else a
character the built-in font lacks prints as "?".
"""
from pathlib import Path

from fpdf import FPDF

from app.choices import ApplicantKind, PaymentChannel, PaymentState
from app.models import Payment

UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class NotPaid(ValueError):
    pass


def receipt_filename(payment: Payment) -> str:
    return f"raasta-receipt-{payment.reference}.pdf"


def receipt_lines(payment: Payment) -> list[tuple[str, str]]:
    """(label, value) rows of the receipt, in order."""
    profile = payment.applicant.profile
    rows = [("Payment reference", payment.reference),
            ("Amount", f"{payment.currency} {payment.amount:,}"),
            ("Date paid", payment.paid_at.strftime("%Y-%m-%d %H:%M UTC")),
            ("Applicant", profile.name if profile else payment.applicant.display_name),
            ("NTN", (profile.ntn if profile else None) or "-")]
    if profile is not None and profile.kind == ApplicantKind.FREELANCER:
        rows.append(("CNIC", profile.cnic or "-"))
    rows += [("Application", str(payment.application_id)),
             ("Paid through", str(PaymentChannel.LABELS.get(payment.paid_via, payment.paid_via)))]
    if payment.provider_txn_id:
        rows.append(("Transaction", payment.provider_txn_id))
    if payment.bank_reference:
        rows.append(("Bank reference", payment.bank_reference))
    return rows


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt's bytes; NotPaid for a fee not (yet) paid."""
    if payment.state != PaymentState.PAID:
        raise NotPaid(payment.reference)
    pdf = FPDF(format="A4")
    pdf.set_title(f"Receipt {payment.reference}")
    pdf.set_author("Raasta")
    pdf.set_creation_date(payment.paid_at)
    pdf.add_page()
    unicode = UNICODE_FONT.is_file()
    if unicode:
        pdf.add_font("DejaVu", fname=str(UNICODE_FONT))
    family = "DejaVu" if unicode else "Helvetica"

    def text(value: str) -> str:
        return value if unicode else value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_font(family, size=18)
    pdf.cell(0, 12, text("Raasta: payment receipt"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=10)
    pdf.cell(0, 8, text("IP and VPN whitelisting fee"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, size=12)
    for label, value in receipt_lines(payment):
        pdf.cell(55, 9, text(label))
        pdf.multi_cell(0, 9, text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(family, size=9)
    pdf.multi_cell(0, 6, text("Keep this receipt. The payment reference identifies the fee in the regulator's "
                              "records; the audit trail holds when and how it was marked paid."))
    return bytes(pdf.output())
