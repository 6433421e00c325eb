"""Checks on the subscriptions: the same connection on another application, and holders with unusually many.

A mobile number or an account is one subscriber's: approved for another applicant it cannot be approved again
(the operator would let two people's VPNs through one line), waiting in another applicant's application the
reviewer decides between them, and already approved for the same applicant it is a renewal. What the applicant
reads never names the other applicant: it would tell them who holds a stranger's number.
"""
from flask import current_app

from app.choices import FindingCode, Severity, State
from app.i18n import Phrase
from app.services.subscriptions.inputs import shown_identifier
from app.services.validation.checks.base import CheckContext, Draft
from app.services.validation.checks.lookups import holder_numbers


def check_subscriptions(ctx: CheckContext):
    application = ctx.application
    for subscription in application.subscriptions:
        name = {"identifier": shown_identifier(subscription.kind, subscription.identifier),
                "operator": subscription.organisation.name}
        for other in ctx.lookups.subscriptions_like(subscription.organisation_id, subscription.identifier):
            if other.application_id == application.id:
                continue
            data = {"application_id": other.application_id, "subscription_id": other.id}
            if other.state == State.APPROVED and other.applicant_id != application.applicant_id:
                yield Draft(FindingCode.SUBSCRIPTION_APPROVED_OTHER, Severity.ERROR,
                            Phrase("%(identifier)s (%(operator)s) cannot be whitelisted for you as it stands: it "
                                   "is registered already. Remove it, or explain to the reviewer (with a bill in your "
                                   "name) why it is yours.", **name),
                            subscription_id=subscription.id, data=data,
                            reviewer_message=Phrase("%(identifier)s (%(operator)s) is approved for another applicant "
                                                    "(application %(id)s): it cannot be approved unless the "
                                                    "applicant shows it is theirs, e.g. with a bill in their name.",
                                                    **name, id=other.application_id))
            elif other.state == State.APPROVED:
                yield Draft(FindingCode.SUBSCRIPTION_APPROVED_OWN, Severity.INFO,
                            Phrase("%(identifier)s (%(operator)s) is in your approved application %(id)s (a "
                                   "renewal).", **name, id=other.application_id),
                            subscription_id=subscription.id, data=data,
                            reviewer_message=Phrase("%(identifier)s (%(operator)s) is in the applicant's own "
                                                    "approved application %(id)s (a renewal).",
                                                    **name, id=other.application_id))
            elif other.applicant_id != application.applicant_id:
                yield Draft(FindingCode.SUBSCRIPTION_PENDING, Severity.WARNING,
                            Phrase("%(identifier)s (%(operator)s) is also in another application waiting for "
                                   "review; the reviewer decides.", **name),
                            subscription_id=subscription.id, data=data,
                            reviewer_message=Phrase("%(identifier)s (%(operator)s) is also in application %(id)s of "
                                                    "another applicant, waiting for review: at most one of the two "
                                                    "can be approved.", **name, id=other.application_id))
                ctx.cross_findings.append((other.application_id, Draft(
                    FindingCode.SUBSCRIPTION_PENDING, Severity.WARNING,
                    Phrase("%(identifier)s (%(operator)s) is also in another application waiting for review; the "
                           "reviewer decides.", **name),
                    subscription_id=other.id,
                    data={"application_id": application.id, "subscription_id": subscription.id},
                    reviewer_message=Phrase("%(identifier)s (%(operator)s) is also in application %(id)s of another "
                                            "applicant, waiting for review: at most one of the two can be approved.",
                                            **name, id=application.id))))
    yield from _many_per_holder(ctx)


def _many_per_holder(ctx: CheckContext):
    """One NTN or CNIC holding more subscriptions than SUBSCRIPTIONS_PER_HOLDER_WARN across its approved and
    pending applications (this one included): allowed, but reviewers look (?flag=subscription.many_per_holder)."""
    application = ctx.application
    if not application.subscriptions:
        return
    threshold = current_app.config["SUBSCRIPTIONS_PER_HOLDER_WARN"]
    mine = {(s.organisation_id, s.identifier) for s in application.subscriptions}
    profile = application.applicant.profile
    for number in holder_numbers(application):
        held = len(ctx.lookups.held_by(number) | mine)
        if held > threshold:
            label = "NTN" if number == profile.ntn else "CNIC"
            yield Draft(FindingCode.SUBSCRIPTION_MANY, Severity.WARNING,
                        Phrase("%(label)s %(number)s holds %(held)s mobile numbers and accounts across its "
                               "applications.", label=label, number=number, held=held),
                        data={"holder": number, "subscriptions": held, "threshold": threshold},
                        reviewer_message=Phrase("%(label)s %(number)s holds %(held)s mobile numbers and accounts "
                                                "across its approved and pending applications (more than "
                                                "%(threshold)s): check that they are all this applicant's own "
                                                "connections.", label=label, number=number, held=held,
                                                threshold=threshold))
