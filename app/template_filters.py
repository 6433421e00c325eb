"""Small helpers the templates share."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask import Flask
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from app.audit.labels import action_label
from app.choices import (
    Category,
    DocumentKind,
    OrganisationKind,
    PaymentState,
    Protocol,
    Role,
    Severity,
    State,
    SubscriptionKind,
)
from app.i18n import _, ngettext, portal_operator, right_to_left
from app.system.plurals import counted, plural

try:
    PAKISTAN = ZoneInfo("Asia/Karachi")
except ZoneInfoNotFoundError:  # a machine without the tz database: Pakistan has kept UTC+5 since 2009
    PAKISTAN = timezone(timedelta(hours=5), "PKT")


# The strftime codes the templates use, as CLDR patterns, so month names follow the page's language.
_CLDR = {"%d": "dd", "%b": "MMM", "%B": "MMMM", "%m": "MM", "%Y": "y", "%a": "EEE", "%A": "EEEE", "%H": "HH",
         "%M": "mm",
         "%S": "ss"}


def pakistan_time(value: datetime | None, format: str = "%d %b %Y %H:%M") -> str:
    """A stored UTC time as the applicant's clock shows it, in the page's language, marked PKT."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    pattern = re.sub(r"%[a-zA-Z]", lambda code: _CLDR[code.group()], format)
    shown = format_datetime(value, pattern, tzinfo=PAKISTAN, locale=get_locale() or "en")
    return _("%(time)s PKT", time=shown) if "%H" in format else shown


def file_size(size: int) -> str:
    """Jinja's filesizeformat (1000-based: "48 Bytes", "1.2 MB") in the page's language."""
    if size < 1000:
        return ngettext("%(num)s Byte", "%(num)s Bytes", int(size))
    if size < 1000 ** 2:
        return _("%(size)s kB", size=f"{size / 1000:.1f}")
    if size < 1000 ** 3:
        return _("%(size)s MB", size=f"{size / 1000 ** 2:.1f}")
    return _("%(size)s GB", size=f"{size / 1000 ** 3:.1f}")


def bdi(value) -> Markup:
    """A value kept in its own direction inside a right-to-left sentence (an address range inside Urdu text);
    in English the value alone, so English pages are what they were."""
    return Markup("<bdi>%s</bdi>") % value if right_to_left() else Markup(escape(value))


# Why a whitelist version was published, as app/services/review writes it (the API keeps these words).
_VERSION_REASONS = (
    (re.compile(r"batch (\d+) approved"), lambda m: _("batch %(id)s approved", id=m[1])),
    (re.compile(r"application (\d+) revoked"), lambda m: _("application %(id)s revoked", id=m[1])),
    (re.compile(r"application (\d+) reinstated"), lambda m: _("application %(id)s reinstated", id=m[1])),
    (re.compile(r"([\d,]+) approvals? expired"), lambda m: ngettext("%(num)s approval expired",
                                                                     "%(num)s approvals expired",
                                                                     int(m[1].replace(",", "")))),
    (re.compile(r"applications? ([\d, ]+) suspended: disputed by the ISP"),
     lambda m: ngettext("application %(ids)s suspended: disputed by the ISP",
                        "applications %(ids)s suspended: disputed by the ISP", len(m[1].split(",")), ids=m[1])),
)


def version_reason(reason: str | None) -> str:
    """A version's reason in the page's language; one written otherwise (an operator's command) as it was."""
    if not reason:
        return "—"
    for pattern, words in _VERSION_REASONS:
        if match := pattern.fullmatch(reason):
            return words(match)
    return reason


def init_app(app: Flask) -> None:
    app.add_template_filter(lambda kind: DocumentKind.LABELS.get(kind, kind), "document_label")
    app.add_template_filter(lambda category: Category.LABELS.get(category, category or "—"), "category_label")
    app.add_template_filter(lambda protocol: Protocol.LABELS.get(protocol, protocol), "protocol_label")
    app.add_template_filter(lambda state: State.LABELS.get(state, state), "state_label")
    app.add_template_filter(lambda state: PaymentState.LABELS.get(state, state), "payment_state_label")
    app.add_template_filter(lambda role: Role.LABELS.get(role, role), "role_label")
    app.add_template_filter(action_label, "action_label")  # an audit action in words
    app.add_template_filter(lambda severity: Severity.LABELS.get(severity, severity), "severity_label")
    app.add_template_filter(pakistan_time, "pkt")
    app.add_template_filter(bdi, "bdi")  # {% trans range=e.text|bdi %}: the range keeps its order in Urdu
    app.add_template_filter(file_size, "file_size")
    app.add_template_filter(version_reason, "version_reason")
    app.add_template_filter(counted, "counted")  # {{ n|counted("decision") }}: "1 decision", "2 decisions"
    app.add_template_filter(plural, "plural")    # {{ "application"|plural(n) }}: the noun alone

    @app.context_processor
    def notification_count():
        from app.services.notifications import unread_count

        return {"unread_notifications": lambda: unread_count(current_user) if current_user.is_authenticated else 0,
                "State": State, "Severity": Severity,  # templates compare with the constants, not bare strings
                "portal_operator": portal_operator,
                "OrganisationKind": OrganisationKind, "SubscriptionKind": SubscriptionKind}
