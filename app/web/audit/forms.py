from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from app.i18n import _l
from app.web.forms import TOO_LONG, RaastaForm


class AuditSearchForm(RaastaForm):
    """Read from the query string, so a search is a link that can be shared and exported."""

    class Meta:
        csrf = False  # a GET that changes nothing

    actor = StringField(_l("Actor"), validators=[Optional(), Length(max=254, message=TOO_LONG)],
                        description=_l("An account id, or part of an email address."))
    action = StringField(_l("Action"), validators=[Optional(), Length(max=60, message=TOO_LONG)],
                         description=_l("“user.signed_in”, or “user.” for every user event."))
    subject_type = StringField(_l("Subject type"), validators=[Optional(), Length(max=40, message=TOO_LONG)],
                               description=_l("e.g. application, user, api_token."))
    subject_id = StringField(_l("Subject id"), validators=[Optional(), Length(max=40, message=TOO_LONG)])
    since = DateField(_l("From (UTC day)"), validators=[Optional()])
    until = DateField(_l("To (UTC day, included)"), validators=[Optional()])

    def filters(self) -> dict:
        return {name: self[name].data or None
                for name in ("actor", "action", "subject_type", "subject_id", "since", "until")}
