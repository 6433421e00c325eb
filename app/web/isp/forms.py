"""ISP forms: answering a confirmation, and the webhook URL."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length


class AnswerForm(FlaskForm):
    """Confirm, or dispute with a reason. Made with prefix=f"a{application_id}" so each row's ids differ."""
    answer = HiddenField()
    reason = TextAreaField("Why do you dispute it?", render_kw={"rows": 2},
                           validators=[Length(max=1000, message="Keep the reason under 1000 characters.")],
                           description="The reviewer and the applicant read this, so name no other customer, "
                                       "e.g. “this subscriber id is not on our books”.")


class WebhookForm(FlaskForm):
    url = StringField("Webhook URL", validators=[Length(max=500, message="Keep the URL under 500 characters.")],
                      description="An address on your side (https, or http inside a closed network) that Raasta POSTs "
                                  "to on every new whitelist version.")
    save = SubmitField("Save webhook")
    remove = SubmitField("Remove webhook")
