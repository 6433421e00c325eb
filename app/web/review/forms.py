"""Reviewer forms: the queue filter (a GET form) and one small form per decision (POST, with CSRF)."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.addresses import codes
from app.choices import PAKISTAN_ISPS, REJECTION_REASONS, ApplicantKind, Category, ConfirmationState, FindingCode, State
from app.services.review.queue import NO_CONFIRMATION, QUEUE_STATES, REGISTRATIONS

ANY = [("", "Any")]
STATES = QUEUE_STATES + (State.VALIDATING, State.APPROVED)
FINDING_CODES = sorted({*codes.FINDING_CODES, *(v for k, v in vars(FindingCode).items()
                                                if k.isupper() and not v.endswith("."))})
REASON_LENGTH = Length(max=2000, message="Keep it under 2,000 characters.")


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


class QueueFilterForm(FlaskForm):
    """Read from the query string, so a filtered queue is a link a reviewer can share or bookmark.
    The service (QueueFilter.from_args) is the judge of the values; this form only draws the fields."""

    class Meta:
        csrf = False  # a GET that changes nothing

    state = SelectField("State", choices=ANY + [(s, _label(s)) for s in STATES])
    code = SelectField("Finding", choices=ANY + [(c, c) for c in FINDING_CODES])
    category = SelectField("Category", choices=ANY + [(c, Category.LABELS[c]) for c in Category.ALL])
    kind = SelectField("Applicant", choices=ANY + [(k, _label(k)) for k in ApplicantKind.ALL])
    city = StringField("City")
    isp = StringField("ISP", render_kw={"list": "isp-names"})
    older_than_days = StringField("Older than (days)", render_kw={"inputmode": "numeric"})
    has_overrides = SelectField("Overrides", choices=ANY + [("yes", "Has overrides"), ("no", "No overrides")])
    batched = SelectField("Batch", choices=ANY + [("no", "Not in a batch"), ("yes", "In a batch awaiting approval")])
    confirmation = SelectField("ISP confirmation", choices=ANY + [(c, _label(c)) for c in ConfirmationState.ALL]
                               + [(NO_CONFIRMATION, "No ISP on Raasta asked")])
    registration = SelectField("Registers", choices=ANY + [(r, _label(r)) for r in REGISTRATIONS])
    q = StringField("Search", description="Name, email, NTN, CNIC, mobile number or account id.")
    address = StringField("Address", description="An address or CIDR, e.g. 39.32.10.5 or 39.32.0.0/16.")

    FIELDS = ("state", "code", "category", "kind", "city", "isp", "older_than_days", "has_overrides", "batched",
              "confirmation", "registration", "q", "address")
    isp_names = PAKISTAN_ISPS

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


class RejectForm(FlaskForm):
    template = SelectField("Reason", default="",
                           choices=[("", "Write my own reason below")] + [(r, r) for r in REJECTION_REASONS])
    reason = TextAreaField("Reason in your words", validators=[REASON_LENGTH], render_kw={"rows": 3},
                           description="Shown to the applicant on their page and in the notification.")

    def chosen_reason(self) -> str:
        return (self.reason.data or "").strip() or (self.template.data or "").strip()

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.chosen_reason():
            self.reason.errors = ["Pick a reason from the list or write one: the applicant reads it."]
            return False
        return True


class RequestInformationForm(FlaskForm):
    message = TextAreaField("What do you need from the applicant?", render_kw={"rows": 3}, validators=[
        DataRequired(message="Write what the applicant should add or change."), REASON_LENGTH],
        description="e.g. “Upload your NTN certificate; the one attached is for another firm.”")


class OverrideForm(FlaskForm):
    code = SelectField("Finding", choices=[],
                       validators=[DataRequired(message="Choose the finding to override.")])
    reason = TextAreaField("Why it may be approved anyway", render_kw={"rows": 3}, validators=[
        DataRequired(message="Write why this finding does not stop the approval; later readers see it."),
        REASON_LENGTH])


class RevokeForm(FlaskForm):
    reason = TextAreaField("Why the approval is revoked", render_kw={"rows": 3}, validators=[
        DataRequired(message="Write why the approval is revoked; the applicant reads it."), REASON_LENGTH])


class ReinstateForm(FlaskForm):
    reason = TextAreaField("Why the approval stands", render_kw={"rows": 3}, validators=[
        DataRequired(message="Write why the approval is reinstated despite the ISP's dispute; the applicant reads it."),
        REASON_LENGTH], description="e.g. “PTCL withdrew the dispute: the subscriber id was mistyped in its records.”")


class NoteForm(FlaskForm):
    body = TextAreaField("Note for other reviewers", render_kw={"rows": 3}, validators=[
        DataRequired(message="Write the note first."), Length(max=5000)],
        description="Never shown to the applicant.")


class BatchForm(FlaskForm):
    """Selected application ids (checkboxes named `ids`) become a new batch."""

    note = StringField("Batch note (optional)", validators=[Length(max=500)])
    back = HiddenField()  # the queue URL to return to when the batch is refused


class ActionForm(FlaskForm):
    """A bare form for POST buttons (approve, cancel): it carries the CSRF token."""
