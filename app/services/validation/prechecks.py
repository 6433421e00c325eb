"""Problems an applicant can fix before submitting, found each time a draft changes.

The same checks as the queue (checks.PRECHECKS, a subset of checks.CHECKS), with the same codes
and words, stored as the draft's findings so the draft page and the API show them per line. They
need no queue and no register; country and ASN lookups are left to the queue. Submitting replaces
them with the full validation's findings.
"""
from flask import current_app
from flask_babel import force_locale

from app.choices import State
from app.extensions import db
from app.models import Application
from app.services.validation.checks import PRECHECKS, CheckContext


def run_prechecks(application: Application) -> None:
    """Replace the findings of a draft (or needs-info application) the applicant just changed with what
    the queue-free checks say now; the old ones described what it was before. The caller commits."""
    if application.state not in State.EDITABLE:
        return
    db.session.flush()  # new entries and endpoints need their ids for per-line findings
    context = CheckContext(application, register=None, max_prefix_v4=current_app.config["MAX_PREFIX_V4"],
                           max_prefix_v6=current_app.config["MAX_PREFIX_V6"], geo=False)
    # In English whatever the applicant reads: the findings keep their words as Phrases, shown later in each
    # reader's language, and `message` is the English the API's default and the search use (a message some
    # other module gives as text, such as host_problem's, is then English too).
    with force_locale("en"):
        application.findings = [draft.to_finding() for check in PRECHECKS for draft in check(context)]
