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
from app.models import IspOrganisation, Subscription
from app.services.pakistani_numbers import NotAMobileNumber, ascii_digits, mobile_e164, mobile_national
from app.system.plurals import counted

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
        return None, "identifier must be text, e.g. \"0300-1234567\" or the account id your ISP gave."
    if kind == SubscriptionKind.MOBILE:
        try:
            return mobile_e164(typed), None
        except NotAMobileNumber as exc:
            return None, str(exc)
    account = ascii_digits(typed).strip()
    if not account:
        return None, "Give the account or subscriber id your ISP gave (it is on your bill)."
    if len(account) > IDENTIFIER_MAX:
        return None, (f"The account id is {counted(len(account), 'character')}; an ISP's account id is under "
                      f"{IDENTIFIER_MAX}.")
    if not _ACCOUNT_ID.fullmatch(account):
        shown = " ".join(account.split())[:40]
        return None, (f"'{shown}' is not an account id: use the letters, digits and . _ - / @ : your ISP's bill "
                      "shows, without spaces.")
    return account, None


def parse_subscriptions(raw: list) -> tuple[list[SubscriptionInput], list[dict]]:
    """Read each subscription ({"kind", "operator", "identifier"}); returns those that pass and, for every one
    refused, its index, what was sent and every problem (each naming the input and what to do)."""
    operators = operators_by_kind()
    parsed, errors, seen = [], [], set()
    for index, item in enumerate(raw):
        problems = {}
        if not isinstance(item, dict):
            errors.append({"index": index, "input": item, "errors": {"subscription": (
                f"Subscription {index + 1} is {type(item).__name__}; send "
                '{"kind": "mobile", "operator": "Jazz", "identifier": "0300-1234567"}.')}})
            continue
        for name in sorted(set(item) - set(SUBSCRIPTION_FIELDS)):
            problems[name] = f"Unknown field {name!r}; a subscription takes {', '.join(SUBSCRIPTION_FIELDS)}."
        kind, operator_name = item.get("kind"), item.get("operator")
        organisation = None
        if kind not in SubscriptionKind.ALL:
            problems["kind"] = (f"Kind {kind!r} is unknown: \"mobile\" for a mobile number, \"fixed\" for a "
                                "broadband or fixed-line account.")
        else:
            known = operators.get(SubscriptionKind.SERVED_BY[kind], {})
            name = " ".join(operator_name.split()).lower() if isinstance(operator_name, str) else None
            organisation = known.get(name) if name else None
            if organisation is None:
                what = "mobile operator" if kind == SubscriptionKind.MOBILE else "broadband or fixed-line ISP"
                listed = ", ".join(o.name for o in known.values()) or "none yet"
                problems["operator"] = (f"{operator_name!r} is not a {what} on Raasta; name one of: {listed}."
                                        if operator_name else f"Name the {what} that serves it: one of {listed}.")
        identifier, problem = identifier_problem(kind, item.get("identifier")) if kind in SubscriptionKind.ALL \
            else (None, None)
        if problem:
            problems["identifier"] = problem
        if not problems and (kind, organisation.id, identifier) in seen:
            problems["identifier"] = f"{identifier} with {organisation.name} is listed twice; list it once."
        if problems:
            errors.append({"index": index, "input": item, "errors": problems})
            continue
        seen.add((kind, organisation.id, identifier))
        parsed.append(SubscriptionInput(kind, organisation.id, organisation.name, identifier))
    return parsed, errors
