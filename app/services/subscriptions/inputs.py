"""A subscription as the applicant sends it: its kind, the operator they say serves it, and its identifier.

Mobile numbers are read in any usual spelling and stored as E.164 (pakistani_numbers.mobile_e164); numbers
move between operators, so the operator is the applicant's word until that operator confirms it. A fixed
identifier is the account or subscriber id the ISP gave, kept as typed but for its digits, and limited to
characters that are safe in every feed (a FreeRADIUS users file quotes it). The operator must be an
organisation on Raasta of the kind that serves the subscription.
"""
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from app.choices import SubscriptionKind
from app.extensions import db
from app.i18n import _, ngettext
from app.models import IspOrganisation, Subscription
from app.services.pakistani_numbers import (
    NotAMobileNumber,
    ascii_digits,
    mobile_e164,
    mobile_national,
)

MAX_SUBSCRIPTIONS = 50
IDENTIFIER_MAX = Subscription.identifier.type.length
SUBSCRIPTION_FIELDS = ("kind", "operator", "identifier")
# Letters, digits and . _ - / @ : after a letter or digit: what ISPs' account ids are made of, and nothing that
# needs escaping in a csv cell, a JSON string or a FreeRADIUS users file.
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/@:-]*")


@dataclass(frozen=True)
class SubscriptionInput:
    kind: str
    organisation_id: int
    operator: str      # the organisation's name as Raasta spells it
    identifier: str    # E.164 for a mobile number; the account id for a fixed one


def shown_identifier(kind: str, identifier: str) -> str:
    """A stored identifier as people read it: 0300-1234567 for a mobile number, the account id as given."""
    return mobile_national(identifier) if kind == SubscriptionKind.MOBILE else identifier


def operators_by_kind() -> dict[str, dict[str, IspOrganisation]]:
    """Organisation kind -> {lower-case name: organisation}: what an operator name is matched against."""
    found: dict[str, dict[str, IspOrganisation]] = {}
    for organisation in db.session.scalars(select(IspOrganisation).order_by(func.lower(IspOrganisation.name))):
        found.setdefault(organisation.kind, {})[organisation.name.lower()] = organisation
    return found


def identifier_problem(kind: str, typed) -> tuple[str | None, str | None]:
    """(the stored identifier, None) or (None, why it is refused, quoting what was typed)."""
    if not isinstance(typed, str):
        return None, _("identifier must be text, e.g. \"0300-1234567\" or the account id your ISP gave.")
    if kind == SubscriptionKind.MOBILE:
        try:
            return mobile_e164(typed), None
        except NotAMobileNumber as exc:
            return None, str(exc)
    account = ascii_digits(typed).strip()
    if not account:
        return None, _("Give the account or subscriber id your ISP gave (it is on your bill).")
    if len(account) > IDENTIFIER_MAX:
        return None, ngettext("The account id is %(num)s character; an ISP's account id is under %(most)s.",
                              "The account id is %(num)s characters; an ISP's account id is under %(most)s.",
                              len(account), most=IDENTIFIER_MAX)
    if not _ACCOUNT_ID.fullmatch(account):
        shown = " ".join(account.split())[:40]
        return None, _("'%(account)s' is not an account id: use the letters, digits and . _ - / @ : your ISP's "
                       "bill shows, without spaces.", account=shown)
    return account, None


def operator_problem(kind: str, operator_name, listed: str) -> str:
    """Why the operator named is refused: not one of `listed` (or none named)."""
    if kind == SubscriptionKind.MOBILE:
        if operator_name:
            return _("%(operator)s is not a mobile operator on Raasta; name one of: %(listed)s.",
                     operator=repr(operator_name), listed=listed)
        return _("Name the mobile operator that serves it: one of %(listed)s.", listed=listed)
    if operator_name:
        return _("%(operator)s is not a broadband or fixed-line ISP on Raasta; name one of: %(listed)s.",
                 operator=repr(operator_name), listed=listed)
    return _("Name the broadband or fixed-line ISP that serves it: one of %(listed)s.", listed=listed)


def parse_subscriptions(raw: list) -> tuple[list[SubscriptionInput], list[dict]]:
    """Read each subscription ({"kind", "operator", "identifier"}); returns those that pass and, for every one
    refused, its index, what was sent and every problem (each naming the input and what to do)."""
    operators = operators_by_kind()
    parsed, errors, seen = [], [], set()
    for index, item in enumerate(raw):
        problems = {}
        if not isinstance(item, dict):
            errors.append({"index": index, "input": item, "errors": {"subscription": _(
                "Subscription %(number)s is %(type)s; send %(example)s.", number=index + 1, type=type(item).__name__,
                example='{"kind": "mobile", "operator": "Jazz", "identifier": "0300-1234567"}')}})
            continue
        for name in sorted(set(item) - set(SUBSCRIPTION_FIELDS)):
            problems[name] = _("Unknown field %(name)s; a subscription takes %(fields)s.", name=repr(name),
                               fields=", ".join(SUBSCRIPTION_FIELDS))
        kind, operator_name = item.get("kind"), item.get("operator")
        organisation = None
        if kind not in SubscriptionKind.ALL:
            problems["kind"] = _("Kind %(kind)s is unknown: \"mobile\" for a mobile number, \"fixed\" for a "
                                 "broadband or fixed-line account.", kind=repr(kind))
        else:
            known = operators.get(SubscriptionKind.SERVED_BY[kind], {})
            name = " ".join(operator_name.split()).lower() if isinstance(operator_name, str) else None
            organisation = known.get(name) if name else None
            if organisation is None:
                listed = ", ".join(o.name for o in known.values()) or _("none yet")
                problems["operator"] = operator_problem(kind, operator_name, listed)
        identifier, problem = identifier_problem(kind, item.get("identifier")) if kind in SubscriptionKind.ALL \
            else (None, None)
        if problem:
            problems["identifier"] = problem
        if not problems and (kind, organisation.id, identifier) in seen:
            problems["identifier"] = _("%(identifier)s with %(operator)s is listed twice; list it once.",
                                       identifier=identifier, operator=organisation.name)
        if problems:
            errors.append({"index": index, "input": item, "errors": problems})
            continue
        seen.add((kind, organisation.id, identifier))
        parsed.append(SubscriptionInput(kind, organisation.id, organisation.name, identifier))
    return parsed, errors
