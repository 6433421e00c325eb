"""Applicant forms. Entries and endpoints are parsed here, at the edge, by the same code the API uses."""
import csv
import io

from flask import g
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from app.addresses import parse_block
from app.choices import Category, DocumentKind, OrganisationKind, Protocol, SubscriptionKind
from app.services.applicant_notes import MAX_NOTE
from app.services.application_input import MIN_PURPOSE, purpose_problem
from app.services.endpoints import ENDPOINT_FIELDS, parse_endpoints
from app.services.subscriptions.inputs import MAX_SUBSCRIPTIONS, operators_by_kind, parse_subscriptions

MAX_IMPORT_BYTES = 1024 * 1024


class ProfileForm(FlaskForm):
    # No DataRequired and no choice check: the service reports a missing kind together with every other
    # field at fault, rather than the form stopping at the first.
    kind = RadioField("I am applying as", choices=[
        ("firm", "A firm or company (with an NTN)"), ("freelancer", "A freelancer (with a CNIC)")],
        validate_choice=False)
    name = StringField("Legal name", description="The firm's registered name, or your name as on your CNIC.")
    ntn = StringField("NTN", description="Firms: 7 digits and a check digit, e.g. 1234567-8 (12345678 works too).")
    secp_number = StringField("SECP registration number (optional)")
    cnic = StringField("CNIC", description="Freelancers: 13 digits, with or without dashes, e.g. 35202-1234567-1.")
    platform_url = StringField("Freelance platform profile (optional)",
                               description="Your Upwork or Fiverr page's address, e.g. www.upwork.com/freelancers/"
                                           "yourname (https:// is added when you leave it out).")
    pseb_number = StringField("PSEB registration number (optional)",
                              description="Not required: Raasta does not need an export-board registration.")
    city = StringField("City")
    phone = StringField("Mobile or landline (optional)",
                        description="e.g. 0300-1234567, +92 300 1234567, 042-35761234 or a UAN 021-111-222-333.")
    isp_name = StringField("Your internet provider (for address ranges)", description=(
        "Needed to whitelist fixed addresses. Pick from the list or type your ISP's name: an ISP on Raasta "
        "confirms your subscriber id; any other is shown to reviewers as unconfirmed. On mobile data or a "
        "changing home address, leave it empty and register your number or account on the application."))
    isp_subscriber_id = StringField("Subscriber or account id with that ISP",
                                    description="As printed on your bill; your ISP confirms it.")
    submit = SubmitField("Save profile")


class EndpointForm(Form):
    host = StringField("Host", validators=[Length(max=255)], description="Hostname or IP address")
    protocol = SelectField("Protocol", choices=[(p, Protocol.LABELS[p]) for p in Protocol.ALL])
    port = StringField("Port", description="1–65535")
    peer = StringField("Remote peer (optional)", validators=[Length(max=255)], description="e.g. your client abroad")

    def is_blank(self) -> bool:
        return not any((self.host.data or "").strip() or (f.data or "").strip() for f in (self.port, self.peer))


def _operators(kind: str, prompt: str):
    """The choices of an operator select: a prompt, then the organisations of that kind by name, read once a
    request however many rows the form has."""
    def choices():
        if "operator_names" not in g:
            g.operator_names = {k: [o.name for o in found.values()] for k, found in operators_by_kind().items()}
        return [("", prompt)] + [(name, name) for name in g.operator_names.get(kind, [])]

    return choices


class SubscriptionRow(Form):
    """One connection: its identifier and the organisation serving it. A row without an identifier is skipped.
    Any operator is accepted here: the service names one that does not serve this kind, with the ones that do."""

    def is_blank(self) -> bool:
        return not (self.identifier.data or "").strip()


class MobileNumberForm(SubscriptionRow):
    identifier = StringField("Number", description="e.g. 0300-1234567",
                             render_kw={"inputmode": "tel", "autocomplete": "tel-national"})
    operator = SelectField("Operator", choices=_operators(OrganisationKind.MOBILE, "Choose the operator"),
                           validate_choice=False)


class BroadbandAccountForm(SubscriptionRow):
    identifier = StringField("Account id", description="As printed on your bill")
    operator = SelectField("ISP", choices=_operators(OrganisationKind.FIXED, "Choose the ISP"), validate_choice=False)


class EntryNoteForm(Form):
    """The applicant's note on one entry, named by the entry as stored (hidden): entries with findings get one."""
    entry = HiddenField()
    note = TextAreaField("Note for the reviewer", render_kw={"rows": 2}, validators=[
        Length(max=MAX_NOTE, message=f"Keep the note under {MAX_NOTE:,} characters.")])


class ApplicationForm(FlaskForm):
    purpose = TextAreaField("What is the whitelisting for?", validators=[
        DataRequired(message="Say in a sentence what the whitelisting is for.")],
        description=f"A sentence of at least {MIN_PURPOSE} characters, e.g. “Site-to-site VPN between our Lahore "
                    "office and our client in Germany.”")
    category = SelectField("Category", choices=[(c, Category.LABELS[c]) for c in Category.ALL])
    # No Optional(): it would stop validation on an empty box, skipping validate_entries and so the file import.
    entries = TextAreaField("IP addresses and ranges", render_kw={"rows": 10}, description=(
        "One per line (commas work too): a single address (39.32.12.7), a CIDR (39.32.12.0/24) or a range "
        "(39.32.12.10-39.32.12.20). IPv6 is welcome. Lines starting with # are ignored."))
    entries_file = FileField("…or import a CSV or text file", description="The first column of each row is read.")
    # Present on every form this page renders (value 1): a form sent without it (an older page, a script) keeps
    # the application's subscriptions, as the API does when "subscriptions" is left out.
    subscriptions_shown = HiddenField()
    mobile_numbers = FieldList(FormField(MobileNumberForm), "Mobile number", min_entries=1)
    add_mobile_number = SubmitField("Add another number")
    broadband_accounts = FieldList(FormField(BroadbandAccountForm), "Broadband account", min_entries=1)
    add_broadband_account = SubmitField("Add another account")
    endpoints = FieldList(FormField(EndpointForm), "Endpoint", min_entries=1)
    add_endpoint = SubmitField("Add another endpoint")
    applicant_note = TextAreaField("Note for the reviewer (optional)", render_kw={"rows": 3}, validators=[
        Length(max=MAX_NOTE, message=f"Keep the note under {MAX_NOTE:,} characters.")], description=(
        "Anything that helps the reviewer decide, e.g. why a range is announced by another ISP than yours. "
        "Only the regulator's reviewers read it."))
    entry_notes = FieldList(FormField(EntryNoteForm), "Note on an entry")
    save = SubmitField("Save draft")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled by validation, per form, so that nothing parsed for one request is seen by another.
        self.parsed_entries: list = []      # (input line, AddressRange)
        self.parsed_endpoints: list = []    # EndpointInput
        self.parsed_subscriptions: list | None = None  # SubscriptionInput; None keeps the application's

    @property
    def adding_a_row(self) -> bool:
        """One of the "Add another ..." buttons was pressed (without JavaScript): the form comes back, one row longer."""
        return bool(self.add_endpoint.data or self.add_mobile_number.data or self.add_broadband_account.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._parse_subscriptions() and valid

    def _parse_subscriptions(self) -> bool:
        """Read the numbers and accounts by the API's rules; every refused one is named beside its row."""
        if self.subscriptions_shown.data != "1":
            return True
        rows = [(SubscriptionKind.MOBILE, row.form) for row in self.mobile_numbers if not row.form.is_blank()] + [
            (SubscriptionKind.FIXED, row.form) for row in self.broadband_accounts if not row.form.is_blank()]
        if len(rows) > MAX_SUBSCRIPTIONS:
            rows[-1][1].identifier.errors = [f"List at most {MAX_SUBSCRIPTIONS} numbers and accounts on one "
                                             "application; start another application for the rest."]
            return False
        parsed, problems = parse_subscriptions([{"kind": kind, "operator": row.operator.data or "",
                                                 "identifier": row.identifier.data} for kind, row in rows])
        for problem in problems:
            row = rows[problem["index"]][1]
            for name, message in problem["errors"].items():
                target = row.operator if name == "operator" else row.identifier
                target.errors = list(target.errors) + [message]
        self.parsed_subscriptions = parsed
        return not problems

    def validate_purpose(self, field):
        if problem := purpose_problem(field.data):
            raise ValidationError(problem)

    def validate_entries(self, field):
        """Parse every line and report every bad one with its line number, keeping all the text."""
        self._import_file(field)
        block = parse_block(field.data or "")
        self.parsed_entries = [(raw, rng) for _, raw, rng in block.ranges]
        messages = [f"Line {line}: {error}" for line, _, error in block.errors]
        if messages:
            field.errors.extend(messages[:-1])  # one message per bad line, all of them
            raise ValidationError(messages[-1])

    def _import_file(self, field):
        upload = self.entries_file.data
        if not upload or not getattr(upload, "filename", ""):
            return
        content = upload.read(MAX_IMPORT_BYTES + 1)
        if len(content) > MAX_IMPORT_BYTES:
            raise ValidationError(f"{upload.filename} is over 1 MB; split it into several files.")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(f"{upload.filename} is not a UTF-8 text or CSV file.") from None
        rows = [row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
        if rows and not any(ch.isdigit() for ch in rows[0]):
            rows = rows[1:]  # a header row such as "cidr" or "range"
        # The imported lines join the box, so a mistake in the file can be fixed right there.
        field.data = "\n".join(filter(None, [(field.data or "").rstrip(), f"# imported from {upload.filename}", *rows]))

    def validate_endpoints(self, field):
        rows = [row.form for row in field if not row.form.is_blank()]
        self.parsed_endpoints, problems = parse_endpoints({name: row[name].data for name in ENDPOINT_FIELDS}
                                                          for row in rows)
        for index, row_problems in problems.items():
            for name, message in row_problems.items():
                rows[index][name].errors = list(rows[index][name].errors) + [message]
        if problems:
            raise ValidationError("Correct the highlighted endpoint fields.")


class DocumentForm(FlaskForm):
    kind = SelectField("Document", choices=[(k, DocumentKind.LABELS[k]) for k in DocumentKind.ALL])
    file = FileField("File", description="PDF, PNG or JPEG, up to 10 MB. A clear phone photo is fine.")
    upload = SubmitField("Upload")
