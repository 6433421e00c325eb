from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length


class NewTokenForm(FlaskForm):
    label = StringField("Label", validators=[Length(max=100, message="Keep the label under 100 characters.")],
                        description="What will use it, e.g. “office firewall script”.")
    submit = SubmitField("Create token")


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Revoke")
