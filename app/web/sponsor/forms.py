"""Sponsor forms: its details, a member file, a member's answer to an invitation, a reviewer's decision."""
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from app.choices import SponsorPaper
from app.i18n import _l
from app.web.forms import RaastaForm


class DetailsForm(RaastaForm):
    registration_number = StringField(_l("Registration number"),
                                      description=_l("SECP, PSEB or societies registrar number of the organisation."))
    signatory_name = StringField(_l("Authorised signatory"))
    signatory_cnic = StringField(_l("Signatory's CNIC"), description=_l("In the format 12345-1234567-1."))


class PaperForm(RaastaForm):
    kind = SelectField(_l("Paper"), choices=[(k, SponsorPaper.LABELS[k]) for k in SponsorPaper.ALL])
    file = FileField(_l("Scan (PDF, PNG or JPEG)"))


class MemberFileForm(RaastaForm):
    file = FileField(_l("Member file (CSV or XLSX)"),
                     description=_l("Columns: name, cnic, email, and mobile + operator, isp + subscriber_id or "
                                    "addresses; purpose is optional. At most 5,000 rows and 5 MB."))


class AnswerForm(RaastaForm):
    """The proposal as the member corrects it; every field starts with what the sponsor proposed."""
    name = StringField(_l("Name as on your CNIC"), validators=[Length(max=200)])
    cnic = StringField(_l("CNIC"), validators=[Length(max=20)])
    city = StringField(_l("City"), validators=[Length(max=100)])
    purpose = TextAreaField(_l("What the whitelisting is for"), render_kw={"rows": 2},
                            validators=[Length(max=2000)])
    mobile = StringField(_l("Mobile number"), validators=[Length(max=40)])
    operator = StringField(_l("Mobile operator"), validators=[Length(max=100)])
    isp = StringField(_l("Broadband or fixed-line ISP"), validators=[Length(max=100)])
    subscriber_id = StringField(_l("Subscriber id"), validators=[Length(max=100)])
    addresses = TextAreaField(_l("Addresses"), render_kw={"rows": 2},
                              description=_l("One address, CIDR or range a-b per line."))
    consent = SubmitField(_l("I consent: submit it in my name"))
    decline = SubmitField(_l("Decline"))


class DecisionForm(RaastaForm):
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2},
                           validators=[Length(max=2000, message=_l("Keep the reason under 2000 characters."))])
