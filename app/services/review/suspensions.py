"""An approval its ISP disputes: suspended at once, then reinstated or revoked by a reviewer.

When the applicant's ISP disputes the subscriber id of an approved application (isp_confirmations.answer), the
application's prefixes and subscriptions leave the approved space and a whitelist version without them is
published in the same transaction: ISPs stop letting it through at their next poll, without waiting for a
reviewer. Every reviewer is told, the suspended application heads the queue, and the applicant is told what
happened and what to do. A reviewer then reinstates it (its space and subscriptions back, unless another
applicant's approval took part of them meanwhile, and published) or revokes it (approvals.revoke). Like an
approval's end, each takes the approved-space lock first and re-validates the pending applications that touch
the space. The caller commits.
"""
from babel.dates import format_date
from flask_babel import LazyString, get_locale
from sqlalchemy import select

from app.choices import ConfirmationState, State
from app.extensions import db
from app.i18n import _, _l, ngettext
from app.models import Application, IspConfirmation, WhitelistVersion
from app.models.types import utcnow
from app.services import Conflict
from app.services.locks import lock_approved_space
from app.services.notifications import notify, notify_staff
from app.services.publication.publish import latest_version, publish
from app.services.review import approved_space
from app.services.review.approvals import queue_revalidation
from app.services.review.decisions import acting, lock_application, required_text
from app.services.transitions import move
from app.services.validation.checks.isp import covers_addresses, part_words
from app.system.plurals import plural


def suspend(application: Application, confirmation: IspConfirmation, actor) -> None:
    """Take an approved application its ISP disputes out of the approved space, suspended, and tell the
    applicant; publish_suspended() then publishes and tells the reviewers (once for a list of answers)."""
    lock_approved_space()
    lock_application(application)
    if application.state != State.APPROVED:
        raise Conflict(_("Application %(id)s is %(state)s; only an approved application is suspended by a dispute.",
                         id=application.id, state=State.LABELS[application.state].lower()),
                       details={"state": application.state})
    approved_space.remove([application.id])
    move(application, State.SUSPENDED, actor=actor, organisation=confirmation.organisation.name,
         subscriber_id=confirmation.subscriber_id, reason=confirmation.reason)
    _tell_applicant(application, confirmation)
    queue_revalidation([application.id])  # space it held may now be free for others


def publish_suspended(applications: list[Application], actor) -> WhitelistVersion | None:
    """Publish the version without the applications just suspended, and tell every reviewer of each."""
    ids = ", ".join(str(a.id) for a in applications)
    version = publish(f"{plural('application', len(applications))} {ids} suspended: disputed by the ISP",
                      actor=actor)
    latest = version or latest_version()
    for application in applications:
        _tell_reviewers(application, latest.serial if latest else None)
    return version


def _isp_words(application: Application) -> tuple[str, str, str]:
    """(organisation name, its part in words, its reason) of the application's latest dispute: each
    organisation answers for its own part, and one dispute is enough to suspend."""
    confirmation = db.session.scalar(select(IspConfirmation).where(
        IspConfirmation.application_id == application.id, IspConfirmation.state == ConfirmationState.DISPUTED)
        .order_by(IspConfirmation.answered_at.desc(), IspConfirmation.id.desc()).limit(1))
    return confirmation.organisation.name, LazyString(part_words, confirmation), confirmation.reason or ""


def _tell_applicant(application: Application, confirmation: IspConfirmation) -> None:
    notify(application.applicant,
           _l("Application %(id)s is suspended: your ISP disputed it", id=application.id),
           LazyString(_applicant_words, application, confirmation), link=f"/applications/{application.id}")


def _applicant_words(application: Application, confirmation: IspConfirmation) -> str:
    """The applicant's notification of a suspension, in the current language (theirs: notify renders it)."""
    isp, subscriber, reason = confirmation.organisation.name, part_words(confirmation), confirmation.reason
    if application.entries:
        what_happened = _("%(isp)s told us that %(part)s is not your connection: “%(reason)s”. So the approval of "
                          "application %(id)s is suspended: ISPs no longer let its addresses through (the whitelist "
                          "published now leaves them out).", isp=isp, part=subscriber, reason=reason, id=application.id)
    else:
        what_happened = _("%(isp)s told us that %(part)s is not your connection: “%(reason)s”. So the approval of "
                          "application %(id)s is suspended: its operators no longer let its connections through "
                          "(their feeds published now leave them out).", isp=isp, part=subscriber, reason=reason,
                          id=application.id)
    if covers_addresses(confirmation):
        what_to_do = _("What to do: check the subscriber id with %(isp)s. If it is yours, ask %(isp)s to correct its "
                       "answer on Raasta; if there is another mistake, contact the regulator. A reviewer will decide "
                       "whether to reinstate the approval or revoke it, and you will be told.", isp=isp)
    else:
        what_to_do = _("What to do: check the number or account with %(isp)s. If it is yours, ask %(isp)s to correct "
                       "its answer on Raasta; if there is another mistake, contact the regulator. A reviewer will "
                       "decide whether to reinstate the approval or revoke it, and you will be told.", isp=isp)
    return f"{what_happened}\n\n{what_to_do}"


def _tell_reviewers(application: Application, serial: int | None) -> None:
    isp, subscriber, reason = _isp_words(application)
    profile = application.applicant.profile
    holder = profile.name if profile else application.applicant.display_name
    words = dict(isp=isp, part=subscriber, id=application.id, holder=holder, reason=reason)
    if serial:
        body = _l("%(isp)s disputed %(part)s of approved application %(id)s (%(holder)s): “%(reason)s”. The "
                  "application is suspended and whitelist version %(serial)s, published now, leaves it out. Open it "
                  "to reinstate the approval with a reason, or to revoke it.", serial=serial, **words)
    else:
        body = _l("%(isp)s disputed %(part)s of approved application %(id)s (%(holder)s): “%(reason)s”. The "
                  "application is suspended and it is in no whitelist. Open it to reinstate the approval with a "
                  "reason, or to revoke it.", **words)
    notify_staff(_l("Application %(id)s suspended: %(isp)s disputed it after approval", id=application.id, isp=isp),
                 body, link=f"/review/applications/{application.id}")


def tell_reviewers_confirmed(application: Application, confirmation: IspConfirmation) -> None:
    """The ISP turned its dispute of a suspended application into a confirmation: a reviewer may reinstate it."""
    isp = confirmation.organisation.name
    notify_staff(_l("Application %(id)s: %(isp)s now confirms the subscriber id", id=application.id, isp=isp),
                 _l("%(isp)s withdrew its dispute of suspended application %(id)s: it now confirms %(part)s. The "
                    "application stays suspended until a reviewer reinstates (or revokes) it.", isp=isp,
                    id=application.id, part=LazyString(part_words, confirmation)),
                 link=f"/review/applications/{application.id}")


def reinstate(application: Application, reason: str, actor=None) -> WhitelistVersion | None:
    """Approve a suspended application again, as it was (same approval date and expiry), and publish its space;
    returns the version published (None if nothing changed). 409 if another applicant's approval now holds
    part of its space, naming each clash."""
    reason = required_text(reason, "reason", _l("why the approval is reinstated (the applicant reads it)"))
    actor = acting(actor)
    lock_approved_space()
    lock_application(application)
    if application.state != State.SUSPENDED:
        raise Conflict(_("Application %(id)s is %(state)s; only a suspended application can be reinstated.",
                         id=application.id, state=State.LABELS[application.state].lower()),
                       details={"state": application.state})
    if application.expires_at is not None and application.expires_at <= utcnow():
        raise Conflict(_("The approval of application %(id)s ran out on %(date)s; it cannot be reinstated. The "
                         "hourly expiry run marks it expired, and the applicant may then renew it.", id=application.id,
                         date=format_date(application.expires_at, "dd MMM y", locale=get_locale() or "en")),
                       details={"expires_at": application.expires_at.isoformat()})
    entries = approved_space.entries_of([application.id])
    subscriptions = approved_space.subscriptions_of([application.id])
    clashes = approved_space.clashes(entries) + approved_space.subscription_clashes(subscriptions)
    if clashes:
        others = sorted({c.other.application_id for c in clashes})
        raise Conflict(ngettext("Application %(id)s cannot be reinstated: part of its space or subscriptions is now "
                                "approved for another applicant (application %(others)s). Revoke it, or revoke the "
                                "other approval first.",
                                "Application %(id)s cannot be reinstated: part of its space or subscriptions is now "
                                "approved for another applicant (applications %(others)s). Revoke it, or revoke the "
                                "other approval first.", len(others), id=application.id,
                                others=", ".join(map(str, others))),
                       details=[{"application_id": c.other.application_id,
                                 "message": approved_space.sentence(application.id, c.message())} for c in clashes])
    approved_space.add_guarded(entries, subscriptions, _(
        "Application %(id)s was not reinstated: the database refused its space or subscriptions because part of "
        "them is approved for another applicant.", id=application.id))
    approved_at = application.approved_at
    application.reviewer_message = reason
    move(application, State.APPROVED, actor=actor, reason=reason)
    application.approved_at = approved_at  # reinstated as it was approved, not a new approval
    version = publish(f"application {application.id} reinstated", actor=actor)
    queue_revalidation([application.id])  # pending applications touching its space meet it again
    return version

