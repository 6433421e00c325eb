"""Admin forms: ISP organisations."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", validators=[
        DataRequired(message="Give the ISP organisation a name, e.g. PTCL."),
        Length(max=100, message="Keep the name under 100 characters.")],
        description="As applicants know the ISP, e.g. PTCL or Nayatel: they pick it from a list by this name.")
