from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class NewTokenForm(FlaskForm):
    label = StringField("Label", validators=[Length(max=100, message="Keep the label under 100 characters.")],
                        description="What will use it, e.g. “office firewall script”.")
    submit = SubmitField("Create token")


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Revoke")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(message="Enter your current password.")])
    new = PasswordField("New password", validators=[DataRequired(message="Choose a new password.")],
                        description="At least 10 characters. Signing in elsewhere ends when you change it.")
    confirm = PasswordField("Repeat new password", validators=[
        DataRequired(message="Repeat the new password."), EqualTo("new", message="The two passwords differ.")])
    submit = SubmitField("Change password")
