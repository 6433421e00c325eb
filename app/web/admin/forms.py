"""Admin forms: ISP organisations, the help, contact and privacy pages."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.choices import OrganisationKind
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
