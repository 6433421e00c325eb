from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.i18n import _l
from app.web.forms import RaastaForm


class NewTokenForm(RaastaForm):
    label = StringField(_l("Label"), validators=[Length(max=100, message=_l("Keep the label under 100 characters."))],
                        description=_l("What will use it, e.g. “office firewall script”."))
    submit = SubmitField(_l("Create token"))


class RevokeTokenForm(RaastaForm):
    submit = SubmitField(_l("Revoke"))


class ChangePasswordForm(RaastaForm):
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(message=_l("Enter your current password."))])
    new = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a new password."))],
                        description=_l("At least 10 characters. Signing in elsewhere ends when you change it."))
    confirm = PasswordField(_l("Repeat new password"), validators=[
        DataRequired(message=_l("Repeat the new password.")),
        EqualTo("new", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Change password"))
