from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.i18n import _l
from app.web.forms import RaastaForm


class SignInForm(RaastaForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class SignUpForm(RaastaForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(message=_l("Enter your name.")),
        Length(max=200, message=_l("Keep your name under 200 characters."))])
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Choose a password."))],
                             description=_l("At least 10 characters. A phrase of a few words works well."))
    confirm = PasswordField(_l("Repeat password"), validators=[
        DataRequired(message=_l("Repeat your password.")),
        EqualTo("password", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Create account"))
