"""Admin forms: ISP organisations, the help, contact and privacy pages, holidays, fees and payments."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.choices import DEFAULT_FEE_THRESHOLD, Category, OrganisationKind
from app.i18n import _l
from app.web.forms import RaastaForm


class OrganisationForm(RaastaForm):
    name = StringField(_l("Organisation name"), validators=[
        DataRequired(message=_l("Give the ISP organisation a name, e.g. PTCL.")),
        Length(max=100, message=_l("Keep the name under 100 characters."))],
        description=_l("As applicants know the ISP, e.g. PTCL or Nayatel: they pick it from a list by this name."))


class NewOrganisationForm(OrganisationForm):
    kind = SelectField(_l("It serves"), default=OrganisationKind.FIXED,
                       choices=[(kind, OrganisationKind.LABELS[kind]) for kind in OrganisationKind.ALL],
                       description=_l("Fixed-line and broadband ISPs confirm subscriber ids and account ids; mobile "
                                      "operators confirm mobile numbers. Each sees only its own subscribers."))


class HolidayForm(RaastaForm):
    """The rules (a real date, not listed yet, a name) are services.holidays': their refusals show beside each field."""

    day = StringField(_l("Date"), render_kw={"type": "date", "dir": "ltr", "placeholder": "2027-03-23"},
                      description=_l("The day, as year-month-day, e.g. 2027-03-23."))
    name = StringField(_l("Name"), description=_l("As it is officially called, e.g. Pakistan Day."))


class SitePageForm(RaastaForm):
    """The rules (not empty, not too long) are services.site_pages': their refusals show beside each field."""

    title = StringField(_l("Title"), description=_l("The page's heading and its name in the browser's tab."))
    body = TextAreaField(_l("Text"), description=_l(
        "Plain text, shown as typed: a blank line starts a new paragraph; a line starting with \"# \" "
        "(a hash and a space) is a heading. Web and email addresses become links. At most 20,000 characters."))


class FeeScheduleForm(RaastaForm):
    """The rules (a category, whole rupees, today or later, not a day already set) are services.fees.schedule's:
    their refusals show beside each field."""

    category = SelectField(_l("Category"), choices=[(c, Category.LABELS[c]) for c in Category.ALL])
    amount = StringField(_l("Amount (PKR)"), render_kw={"inputmode": "numeric", "dir": "ltr"},
                         description=_l("Whole rupees, e.g. 50000. 0 ends a fee from that day."))
    threshold = StringField(_l("From how many addresses"), default=str(DEFAULT_FEE_THRESHOLD),
                            render_kw={"inputmode": "numeric", "dir": "ltr"},
                            description=_l("The fee is due when the application's addresses, with those already "
                                           "approved for the same applicant, reach this number."))
    effective_from = StringField(_l("Takes effect on"), render_kw={"type": "date", "dir": "ltr"},
                                 description=_l("Today or a later day, as year-month-day. A fee already in force is "
                                                "changed by a new row from a later day, never edited."))


class MarkPaidForm(RaastaForm):
    bank_reference = StringField(_l("The bank's reference"), validators=[
        DataRequired(message=_l("Give the bank's own reference for this payment, from its statement.")),
        Length(max=100, message=_l("Keep the bank's reference under 100 characters."))],
        render_kw={"dir": "ltr"})
