"""ISP forms: answering a confirmation, and the webhook URL."""
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from app.i18n import _l
from app.web.forms import RaastaForm


class AnswerForm(RaastaForm):
    """Confirm, or dispute with a reason. Made with prefix=f"a{application_id}" so each row's ids differ."""
    answer = HiddenField()
    reason = TextAreaField(_l("Why do you dispute it?"), render_kw={"rows": 2},
                           validators=[Length(max=1000, message=_l("Keep the reason under 1000 characters."))],
                           description=_l("The reviewer and the applicant read this, so name no other customer, "
                                          "e.g. “this subscriber id is not on our books”."))


class WebhookForm(RaastaForm):
    url = StringField(_l("Webhook URL"),
                      validators=[Length(max=500, message=_l("Keep the URL under 500 characters."))],
                      description=_l("An address on your side (https, or http inside a closed network) that Raasta "
                                     "POSTs to on every new whitelist version."))
    save = SubmitField(_l("Save webhook"))
    remove = SubmitField(_l("Remove webhook"))
