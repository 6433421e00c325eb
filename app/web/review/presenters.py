"""What a reviewer reads about an application: entries with findings, country and ASN, subscriptions with
findings and the operator's answer, overrides, history."""
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from app import audit
from app.addresses import AddressRange
from app.addresses.geo import geo_data
from app.choices import Severity
from app.extensions import db
from app.i18n import _, ngettext
from app.models import Application, Batch, Finding, IspConfirmation
from app.models.types import utcnow
from app.services.review import batch_risks, clean_lane
from app.services.subscriptions.inputs import shown_identifier

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg")
MAX_OTHER_APPLICATIONS = 20
# Opening a document is audited; on this page those events would bury the decisions, so they are counted.
QUIET_ACTIONS = ("document.downloaded",)


def days_text(days: int | None) -> str:
    if days is None:
        return "—"
    return _("today") if days < 1 else ngettext("%(num)s day", "%(num)s days", days)


def hours_text(hours: float) -> str:
    """48.5 -> "2 days 1 h"; 5.25 -> "5.3 hours"."""
    if hours < 48:
        return _("%(hours)s hours", hours=f"{hours:.1f}")
    return ngettext("%(num)s day %(hours)s h", "%(num)s days %(hours)s h", int(hours // 24), hours=round(hours % 24))


def address_count_text(count: int) -> str:
    """IPv6 counts run to 2**96; past a billion, a power of two says it better than 27 digits."""
    if count >= 10**9:
        return f"2^{count.bit_length() - 1}" if count & (count - 1) == 0 else f"~2^{count.bit_length() - 1}"
    return f"{count:,}"


@dataclass
class EntryView:
    entry: object
    findings: list[Finding]
    address_count: int
    countries: list[str] = field(default_factory=list)  # "Pakistan (PK)", in address order
    networks: list[str] = field(default_factory=list)   # ASN / ISP names announcing it


def _by_severity(findings) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.id))


def entry_views(application: Application) -> list[EntryView]:
    """Each entry with its findings and where its addresses are, from the offline geo data."""
    geo = geo_data()
    by_entry: dict[int, list[Finding]] = {}
    for finding in application.findings:
        if finding.entry_id:
            by_entry.setdefault(finding.entry_id, []).append(finding)
    views = []
    for entry in application.entries:
        rng = AddressRange(entry.version, entry.start, entry.end)
        view = EntryView(entry, _by_severity(by_entry.get(entry.id, [])), rng.size)
        if geo is not None:
            for part in geo.country_parts(rng):
                name = _("%(country)s (%(code)s)", country=part.name, code=part.code) if part.code else _("unknown")
                if name not in view.countries:
                    view.countries.append(name)
            view.networks = geo.asn_names(rng)
        views.append(view)
    return views


@dataclass
class SubscriptionView:
    subscription: object
    shown: str               # 0300-1234567 for a mobile number, the account id as given
    findings: list[Finding]
    confirmation: str | None  # the operator's answer when it was asked (pending, confirmed, disputed)


def subscription_views(application: Application) -> list[SubscriptionView]:
    """Each subscription with its findings and, where Raasta asked that operator, its answer."""
    by_subscription: dict[int, list[Finding]] = {}
    for finding in application.findings:
        if finding.subscription_id:
            by_subscription.setdefault(finding.subscription_id, []).append(finding)
    answers = dict(db.session.execute(select(IspConfirmation.organisation_id, IspConfirmation.state)
                                      .where(IspConfirmation.application_id == application.id)).all())
    return [SubscriptionView(s, shown_identifier(s.kind, s.identifier), _by_severity(by_subscription.get(s.id, [])),
                             answers.get(s.organisation_id)) for s in application.subscriptions]


def other_findings(application: Application) -> list[Finding]:
    """Findings on endpoints or on the application as a whole."""
    return _by_severity(f for f in application.findings if not f.entry_id and not f.subscription_id)


def other_applications(application: Application) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.applicant_id == application.applicant_id,
                                  Application.id != application.id)
        .order_by(Application.created_at.desc()).limit(MAX_OTHER_APPLICATIONS)))


def review_timeline(application: Application) -> tuple[list, int]:
    """The audit trail of the application, and how many document openings were left out of it."""
    events = audit.timeline(application)
    shown = [e for e in events if e.action not in QUIET_ACTIONS]
    return shown, len(events) - len(shown)


def applicant_answer(events) -> str | None:
    """The applicant's latest answer to a request for more information (sent with the resubmission)."""
    for event in reversed(events):
        if event.action == "application.validating" and event.data.get("reply"):
            return event.data["reply"]
    return None


def suspension(events) -> dict | None:
    """Why a suspended application is suspended: the latest suspension's time, ISP, subscriber id and reason."""
    for event in reversed(events):
        if event.action == "application.suspended":
            return {"at": event.at, "organisation": event.data.get("organisation"),
                    "subscriber_id": event.data.get("subscriber_id"), "reason": event.data.get("reason")}
    return None


def age_days(application: Application, now) -> int | None:
    return (now - application.submitted_at).days if application.submitted_at else None


def duration_text(seconds: float) -> str:
    """A span read at a glance: "40 min", "2 h", "3 days"."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return ngettext("%(num)s min", "%(num)s min", minutes)
    hours = round(seconds / 3600)
    if hours < 48:
        return ngettext("%(num)s h", "%(num)s h", hours)
    return ngettext("%(num)s day", "%(num)s days", round(hours / 24))


def offer_text(offer: clean_lane.Offer) -> str:
    """"42 clean applications, oldest due in 2 h" (or "late by 3 h")."""
    due = offer.oldest_due_at
    if due is None:
        return ngettext("%(num)s clean application, with no decision due time",
                        "%(num)s clean applications, none with a decision due time", offer.count)
    if offer.late:
        return ngettext("%(num)s clean application, late by %(time)s",
                        "%(num)s clean applications, oldest late by %(time)s", offer.count,
                        time=duration_text((utcnow() - due).total_seconds()))
    return ngettext("%(num)s clean application, due in %(time)s",
                    "%(num)s clean applications, oldest due in %(time)s", offer.count,
                    time=duration_text((due - utcnow()).total_seconds()))


def batch_note_text(note: str | None) -> str | None:
    return clean_lane.note_text(note)


@dataclass
class RiskView:
    code: str
    label: str
    meaning: str
    count: int
    application_ids: list[int]


def _risk_words(code: str) -> tuple[str, str]:
    """(the signal's name, what it means), in the reader's language."""
    if code == batch_risks.NEW_APPLICANT:
        return _("New applicants"), _("The account is younger than %(days)s days, or this is its first application.",
                                      days=batch_risks.NEW_ACCOUNT_DAYS)
    if code == batch_risks.WIDE_RANGE:
        return _("Wide ranges"), _("An entry is wider than a %(v4)s (IPv4) or a %(v6)s (IPv6).", v4="/24", v6="/48")
    if code == batch_risks.MANY_SUBSCRIPTIONS:
        return _("Many subscriptions per CNIC or NTN"), _(
            "The applicant's CNIC or NTN holds more than %(most)s mobile numbers and accounts across approved and "
            "pending applications.", most=current_app.config["SUBSCRIPTIONS_PER_HOLDER_WARN"])
    if code == batch_risks.FOREIGN_NETWORK:
        return _("Foreign or other networks"), _("Validation found addresses outside Pakistan, in several countries, "
                                                 "or announced by another ISP than the applicant's.")
    return _("Overridden findings"), _("A reviewer overrode a finding on it with a written reason.")


def risk_views(batch: Batch) -> list[RiskView]:
    """The batch's risk signals as the checker reads them, those that concern some application first."""
    views = [RiskView(signal.code, *_risk_words(signal.code), signal.count, signal.application_ids)
             for signal in batch_risks.risk_signals(batch)]
    return sorted(views, key=lambda view: view.count == 0)
