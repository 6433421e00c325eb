from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional


class AuditSearchForm(FlaskForm):
    """Read from the query string, so a search is a link that can be shared and exported."""

    class Meta:
        csrf = False  # a GET that changes nothing

    actor = StringField("Actor", validators=[Optional(), Length(max=254)],
                        description="An account id, or part of an email address.")
    action = StringField("Action", validators=[Optional(), Length(max=60)],
                         description="“user.signed_in”, or “user.” for every user event.")
    subject_type = StringField("Subject type", validators=[Optional(), Length(max=40)],
                               description="e.g. application, user, api_token.")
    subject_id = StringField("Subject id", validators=[Optional(), Length(max=40)])
    since = DateField("From (UTC day)", validators=[Optional()])
    until = DateField("To (UTC day, included)", validators=[Optional()])

    def filters(self) -> dict:
        return {name: self[name].data or None
                for name in ("actor", "action", "subject_type", "subject_id", "since", "until")}
