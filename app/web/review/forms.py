"""Reviewer forms: the queue filter (a GET form) and one small form per decision (POST, with CSRF)."""
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.addresses import codes
from app.choices import (
    PAKISTAN_ISPS,
    REJECTION_REASONS,
    ApplicantKind,
    Category,
    ConfirmationState,
    FindingCode,
    State,
)
from app.i18n import _, _l
from app.services.review.queue import NO_CONFIRMATION, QUEUE_STATES, REGISTRATIONS, SORT_SUBMITTED
from app.services.sponsors.registry import all_sponsors
from app.web.forms import TOO_LONG, RaastaForm

ANY = [("", _l("Any"))]
STATES = QUEUE_STATES + (State.VALIDATING, State.APPROVED)
FINDING_CODES = sorted({*codes.FINDING_CODES, *(v for k, v in vars(FindingCode).items()
                                                if k.isupper() and not v.endswith("."))})
REASON_LENGTH = Length(max=2000, message=_l("Keep it under 2,000 characters."))
# The filter's own short words for each value (a state here is "Needs info", not its badge's longer label).
_LABELS = {
    State.SUSPENDED: _l("Suspended"), State.READY: _l("Ready"), State.FLAGGED: _l("Flagged"),
    State.NEEDS_INFO: _l("Needs info"), State.VALIDATION_FAILED: _l("Validation failed"),
    State.VALIDATING: _l("Validating"), State.APPROVED: _l("Approved"),
    ApplicantKind.FIRM: _l("Firm"), ApplicantKind.FREELANCER: _l("Freelancer"),
    ConfirmationState.PENDING: _l("Pending"), ConfirmationState.CONFIRMED: _l("Confirmed"),
    ConfirmationState.DISPUTED: _l("Disputed"),
    "addresses": _l("Addresses"), "subscriptions": _l("Subscriptions"),
}


def _label(value: str):
    return _LABELS.get(value) or value.replace("_", " ").capitalize()


class QueueFilterForm(RaastaForm):
    """Read from the query string, so a filtered queue is a link a reviewer can share or bookmark.
    The service (QueueFilter.from_args) is the judge of the values; this form only draws the fields."""

    class Meta:
        csrf = False  # a GET that changes nothing

    state = SelectField(_l("State"), choices=ANY + [(s, _label(s)) for s in STATES])
    # Finding codes are identifiers (reviewers meet them in every finding), kept left to right in Urdu too.
    code = SelectField(_l("Finding"), choices=ANY + [(c, c) for c in FINDING_CODES], render_kw={"dir": "ltr"})
    category = SelectField(_l("Category"), choices=ANY + [(c, Category.LABELS[c]) for c in Category.ALL])
    kind = SelectField(_l("Applicant"), choices=ANY + [(k, _label(k)) for k in ApplicantKind.ALL])
    city = StringField(_l("City"))
    isp = StringField(_l("ISP"), render_kw={"list": "isp-names"})
    older_than_days = StringField(_l("Older than (days)"), render_kw={"inputmode": "numeric"})
    has_overrides = SelectField(_l("Overrides"),
                                choices=ANY + [("yes", _l("Has overrides")), ("no", _l("No overrides"))])
    batched = SelectField(_l("Batch"), choices=ANY + [("no", _l("Not in a batch")),
                                                      ("yes", _l("In a batch awaiting approval"))])
    confirmation = SelectField(_l("ISP confirmation"), choices=ANY + [(c, _label(c)) for c in ConfirmationState.ALL]
                               + [(NO_CONFIRMATION, _l("No ISP on Raasta asked"))])
    registration = SelectField(_l("Registers"), choices=ANY + [(r, _label(r)) for r in REGISTRATIONS])
    sponsor = SelectField(_l("Sponsor"), choices=ANY)  # the sponsors on Raasta, read per page (__init__)
    q = StringField(_l("Search"), description=_l("Name, email, NTN, CNIC, mobile number or account id."))
    address = StringField(_l("Address"), description=_l("An address or CIDR, e.g. 39.32.10.5 or 39.32.0.0/16."))

    sort = SelectField(_l("Order"), choices=[("", _l("Decision due, soonest first")),
                                             (SORT_SUBMITTED, _l("Submitted, oldest first"))])

    FIELDS = ("state", "code", "category", "kind", "city", "isp", "older_than_days", "has_overrides", "batched",
              "confirmation", "registration", "sponsor", "q", "address", "sort")
    isp_names = PAKISTAN_ISPS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sponsor.choices = ANY + [(str(s.id), s.name) for s in all_sponsors()]

    def arguments(self) -> dict[str, str]:
        """The filter as it was typed, without empty fields: for links (next page) and hidden inputs."""
        return {name: self[name].raw_data[0].strip() for name in self.FIELDS
                if self[name].raw_data and self[name].raw_data[0].strip()}

    def show_error(self, name: str | None, message: str) -> bool:
        """Put the service's complaint at the field it names; False when it names none of them."""
        if name not in self.FIELDS:
            return False
        self[name].errors = list(self[name].errors) + [message.removeprefix(f"{name}: ")]  # the label says it
        return True


class RejectForm(RaastaForm):
    template = SelectField(_l("Reason"), default="",
                           choices=[("", _l("Write my own reason below")),
                                    *((reason.english, reason) for reason in REJECTION_REASONS)])
    reason = TextAreaField(_l("Reason in your words"), validators=[REASON_LENGTH], render_kw={"rows": 3},
                           description=_l("Shown to the applicant on their page and in the notification."))

    def chosen_reason(self) -> str:
        return (self.reason.data or "").strip() or (self.template.data or "").strip()

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.chosen_reason():
            self.reason.errors = [_("Pick a reason from the list or write one: the applicant reads it.")]
            return False
        return True


class RequestInformationForm(RaastaForm):
    message = TextAreaField(_l("What do you need from the applicant?"), render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Write what the applicant should add or change.")), REASON_LENGTH],
        description=_l("e.g. “Upload your NTN certificate; the one attached is for another firm.”"))


class OverrideForm(RaastaForm):
    code = SelectField(_l("Finding"), choices=[],
                       validators=[DataRequired(message=_l("Choose the finding to override."))])
    reason = TextAreaField(_l("Why it may be approved anyway"), render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Write why this finding does not stop the approval; later readers see it.")),
        REASON_LENGTH])


class RevokeForm(RaastaForm):
    reason = TextAreaField(_l("Why the approval is revoked"), render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Write why the approval is revoked; the applicant reads it.")), REASON_LENGTH])


class ReinstateForm(RaastaForm):
    reason = TextAreaField(_l("Why the approval stands"), render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Write why the approval is reinstated despite the ISP's dispute; the applicant "
                                "reads it.")),
        REASON_LENGTH],
        description=_l("e.g. “PTCL withdrew the dispute: the subscriber id was mistyped in its records.”"))


class NoteForm(RaastaForm):
    body = TextAreaField(_l("Note for other reviewers"), render_kw={"rows": 3}, validators=[
        DataRequired(message=_l("Write the note first.")), Length(max=5000, message=TOO_LONG)],
        description=_l("Never shown to the applicant."))


class BatchForm(RaastaForm):
    """Selected application ids (checkboxes named `ids`) become a new batch."""

    note = StringField(_l("Batch note (optional)"), validators=[Length(max=500, message=TOO_LONG)])
    back = HiddenField()  # the queue URL to return to when the batch is refused


class ActionForm(RaastaForm):
    """A bare form for POST buttons (approve, cancel): it carries the CSRF token."""
