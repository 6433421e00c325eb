"""Applicant forms. Entries and endpoints are parsed here, at the edge, by the same code the API uses."""
import csv
import io

from flask import g
from flask_wtf.file import FileField
from wtforms import (
    FieldList,
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
from app.choices import (
    Category,
    DocumentKind,
    OrganisationKind,
    Protocol,
    SubscriptionKind,
)
from app.i18n import _, _l
from app.services.applicant_notes import MAX_NOTE
from app.services.application_input import MIN_PURPOSE, purpose_problem
from app.services.endpoints import ENDPOINT_FIELDS, parse_endpoints
from app.services.subscriptions.inputs import (
    MAX_SUBSCRIPTIONS,
    operators_by_kind,
    parse_subscriptions,
)
from app.web.forms import TOO_LONG, RaastaForm, SubForm

MAX_IMPORT_BYTES = 1024 * 1024
NOTE_TOO_LONG = _l("Keep the note under %(max)s characters.", max=f"{MAX_NOTE:,}")


class ProfileForm(RaastaForm):
    # No DataRequired and no choice check: the service reports a missing kind together with every other
    # field at fault, rather than the form stopping at the first.
    kind = RadioField(_l("I am applying as"), choices=[
        ("firm", _l("A firm or company (with an NTN)")), ("freelancer", _l("A freelancer (with a CNIC)"))],
        validate_choice=False)
    name = StringField(_l("Legal name"), description=_l("The firm's registered name, or your name as on your CNIC."))
    ntn = StringField(_l("NTN"),
                      description=_l("Firms: 7 digits and a check digit, e.g. 1234567-8 (12345678 works too)."))
    secp_number = StringField(_l("SECP registration number (optional)"))
    cnic = StringField(_l("CNIC"),
                       description=_l("Freelancers: 13 digits, with or without dashes, e.g. 35202-1234567-1."))
    platform_url = StringField(_l("Freelance platform profile (optional)"),
                               description=_l("Your Upwork or Fiverr page's address, e.g. %(example)s (%(scheme)s is "
                                              "added when you leave it out).",
                                              example="www.upwork.com/freelancers/yourname", scheme="https://"))
    pseb_number = StringField(_l("PSEB registration number (optional)"),
                              description=_l("Not required: Raasta does not need an export-board registration."))
    city = StringField(_l("City"))
    phone = StringField(_l("Mobile or landline (optional)"),
                        description=_l("e.g. 0300-1234567, +92 300 1234567, 042-35761234 or a UAN 021-111-222-333."))
    isp_name = StringField(_l("Your internet provider (for address ranges)"), description=_l(
        "Needed to whitelist fixed addresses. Pick from the list or type your ISP's name: an ISP on Raasta "
        "confirms your subscriber id; any other is shown to reviewers as unconfirmed. On mobile data or a "
        "changing home address, leave it empty and register your number or account on the application."))
    isp_subscriber_id = StringField(_l("Subscriber or account id with that ISP"),
                                    description=_l("As printed on your bill; your ISP confirms it."))
    submit = SubmitField(_l("Save profile"))


class EndpointForm(SubForm):
    host = StringField(_l("Host"), validators=[Length(max=255, message=TOO_LONG)],
                       description=_l("Hostname or IP address"))
    protocol = SelectField(_l("Protocol"), choices=[(p, Protocol.LABELS[p]) for p in Protocol.ALL])
    port = StringField(_l("Port"), description="1–65535")
    peer = StringField(_l("Remote peer (optional)"), validators=[Length(max=255, message=TOO_LONG)],
                       description=_l("e.g. your client abroad"))

    def is_blank(self) -> bool:
        return not any((self.host.data or "").strip() or (f.data or "").strip() for f in (self.port, self.peer))


def _operators(kind: str, prompt):
    """The choices of an operator select: a prompt, then the organisations of that kind by name, read once a
    request however many rows the form has."""
    def choices():
        if "operator_names" not in g:
            g.operator_names = {k: [o.name for o in found.values()] for k, found in operators_by_kind().items()}
        return [("", str(prompt))] + [(name, name) for name in g.operator_names.get(kind, [])]

    return choices


class SubscriptionRow(SubForm):
    """One connection: its identifier and the organisation serving it. A row without an identifier is skipped.
    Any operator is accepted here: the service names one that does not serve this kind, with the ones that do."""

    def is_blank(self) -> bool:
        return not (self.identifier.data or "").strip()


class MobileNumberForm(SubscriptionRow):
    identifier = StringField(_l("Number"), description=_l("e.g. 0300-1234567"),
                             render_kw={"inputmode": "tel", "autocomplete": "tel-national"})
    operator = SelectField(_l("Operator"), choices=_operators(OrganisationKind.MOBILE, _l("Choose the operator")),
                           validate_choice=False)


class BroadbandAccountForm(SubscriptionRow):
    identifier = StringField(_l("Account id"), description=_l("As printed on your bill"))
    operator = SelectField(_l("ISP"), choices=_operators(OrganisationKind.FIXED, _l("Choose the ISP")),
                           validate_choice=False)


class EntryNoteForm(SubForm):
    """The applicant's note on one entry, named by the entry as stored (hidden): entries with findings get one."""
    entry = HiddenField()
    note = TextAreaField(_l("Note for the reviewer"), render_kw={"rows": 2}, validators=[
        Length(max=MAX_NOTE, message=NOTE_TOO_LONG)])


class ApplicationForm(RaastaForm):
    purpose = TextAreaField(_l("What is the whitelisting for?"), validators=[
        DataRequired(message=_l("Say in a sentence what the whitelisting is for."))],
        description=_l("A sentence of at least %(min)s characters, e.g. “Site-to-site VPN between our Lahore "
                       "office and our client in Germany.”", min=MIN_PURPOSE))
    category = SelectField(_l("Category"), choices=[(c, Category.LABELS[c]) for c in Category.ALL])
    # No Optional(): it would stop validation on an empty box, skipping validate_entries and so the file import.
    entries = TextAreaField(_l("IP addresses and ranges"), render_kw={"rows": 10}, description=_l(
        "One per line (commas work too): a single address (39.32.12.7), a CIDR (39.32.12.0/24) or a range "
        "(39.32.12.10-39.32.12.20). IPv6 is welcome. Lines starting with # are ignored."))
    entries_file = FileField(_l("…or import a CSV or text file"),
                             description=_l("The first column of each row is read."))
    # Present on every form this page renders (value 1): a form sent without it (an older page, a script) keeps
    # the application's subscriptions, as the API does when "subscriptions" is left out.
    subscriptions_shown = HiddenField()
    mobile_numbers = FieldList(FormField(MobileNumberForm), _l("Mobile number"), min_entries=1)
    add_mobile_number = SubmitField(_l("Add another number"))
    broadband_accounts = FieldList(FormField(BroadbandAccountForm), _l("Broadband account"), min_entries=1)
    add_broadband_account = SubmitField(_l("Add another account"))
    endpoints = FieldList(FormField(EndpointForm), _l("Endpoint"), min_entries=1)
    add_endpoint = SubmitField(_l("Add another endpoint"))
    applicant_note = TextAreaField(_l("Note for the reviewer (optional)"), render_kw={"rows": 3}, validators=[
        Length(max=MAX_NOTE, message=NOTE_TOO_LONG)], description=_l(
        "Anything that helps the reviewer decide, e.g. why a range is announced by another ISP than yours. "
        "Only the regulator's reviewers read it."))
    entry_notes = FieldList(FormField(EntryNoteForm), _l("Note on an entry"))
    save = SubmitField(_l("Save draft"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled by validation, per form, so that nothing parsed for one request is seen by another.
        self.parsed_entries: list = []      # (input line, AddressRange)
        self.parsed_endpoints: list = []    # EndpointInput
        self.parsed_subscriptions: list | None = None  # SubscriptionInput; None keeps the application's

    @property
    def adding_a_row(self) -> bool:
        """One of the "Add another ..." buttons was pressed (without JavaScript): the form comes back, one row
        longer."""
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
            rows[-1][1].identifier.errors = [_("List at most %(max)s numbers and accounts on one application; "
                                               "start another application for the rest.", max=MAX_SUBSCRIPTIONS)]
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
        self.parsed_entries = [(raw, rng) for _line, raw, rng in block.ranges]
        messages = [_("Line %(line)s: %(error)s", line=line, error=error) for line, _raw, error in block.errors]
        if messages:
            field.errors.extend(messages[:-1])  # one message per bad line, all of them
            raise ValidationError(messages[-1])

    def _import_file(self, field):
        upload = self.entries_file.data
        if not upload or not getattr(upload, "filename", ""):
            return
        content = upload.read(MAX_IMPORT_BYTES + 1)
        if len(content) > MAX_IMPORT_BYTES:
            raise ValidationError(_("%(file)s is over 1 MB; split it into several files.", file=upload.filename))
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("%(file)s is not a UTF-8 text or CSV file.", file=upload.filename)) from None
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
            raise ValidationError(_("Correct the highlighted endpoint fields."))


class DocumentForm(RaastaForm):
    kind = SelectField(_l("Document"), choices=[(k, DocumentKind.LABELS[k]) for k in DocumentKind.ALL])
    file = FileField(_l("File"), description=_l("PDF, PNG or JPEG, up to 10 MB. A clear phone photo is fine."))
    upload = SubmitField(_l("Upload"))
