"""Forms every blueprint uses."""
from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A bare form for POST buttons (submit, withdraw, renew, approve): it carries the CSRF token."""
