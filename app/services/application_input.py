"""What an applicant sends for an application, read and checked before anything is stored: purpose, category,
address entries, VPN endpoints, subscriptions and notes. Every problem is reported at once (422 details);
applications.py stores what passes."""
from dataclasses import dataclass, field

from app.addresses import AddressRange, EntryError, parse_entry
from app.choices import Category
from app.i18n import _, ngettext
from app.models import AddressEntry
from app.services import ServiceError
from app.services.applicant_notes import note_problem
from app.services.endpoints import EndpointInput, parse_endpoints
from app.services.subscriptions.inputs import (
    MAX_SUBSCRIPTIONS,
    SubscriptionInput,
    parse_subscriptions,
)

MAX_ENTRIES = 5000
MAX_ENDPOINTS = 50
MIN_PURPOSE = 10          # characters after trimming: a sentence a reviewer can weigh, not "x" or "VPN"
MAX_PURPOSE = 2000        # characters, as on the web form
ERRORS_LISTED = 100       # a 422 names this many bad entries, then says how many more
ENTRY_INPUT_LENGTH = AddressEntry.input.type.length  # what the column keeps of an entry as typed


@dataclass
class ApplicationInput:
    purpose: str
    category: str | None
    entries: list[tuple[str, AddressRange]]  # (what the applicant typed, its parsed range)
    endpoints: list[EndpointInput] = field(default_factory=list)
    note: str | None = None                  # to the reviewer; None keeps the one the application has
    entry_notes: dict[str, str] | None = None  # entry as typed -> its note; an entry not named keeps its own
    # Mobile numbers and fixed-line accounts; None keeps the ones the application has (a client of the API
    # from before subscriptions, or a form without them, must not wipe them out).
    subscriptions: list[SubscriptionInput] | None = None


ENTRY_OBJECT_FIELDS = ("input", "note")


def parse_entries(raw_entries: list) -> tuple[list[tuple[str, AddressRange]], list[dict], dict[str, str]]:
    """Parse each entry, a string or {"input", "note"?}; returns the parsed ones, for every bad one its
    index, input and message, and the notes given (entry as typed -> note)."""
    parsed, errors, notes = [], [], {}
    for index, item in enumerate(raw_entries):
        raw, problem = item, None
        if isinstance(item, dict):
            raw = item.get("input")
            unknown = sorted(set(item) - set(ENTRY_OBJECT_FIELDS))
            problem = (ngettext("Entry %(position)s has unknown field %(fields)s; an entry object takes input and "
                                "note.",
                                "Entry %(position)s has unknown fields %(fields)s; an entry object takes input and "
                                "note.", len(unknown), position=index + 1, fields=", ".join(map(repr, unknown)))
                       if unknown else note_problem(item.get("note"), position=index + 1))
        if problem is None and not isinstance(raw, str):
            problem = _("Entry %(position)s is %(type)s; send each entry as a string, or as %(example)s.",
                        position=index + 1, type=type(item).__name__,
                        example='{"input": "39.32.12.0/24", "note": "..."}')
        if problem:
            errors.append({"index": index, "input": raw, "code": "syntax.not_text", "message": problem})
            continue
        try:
            parsed.append((raw.strip(), parse_entry(raw)))
        except EntryError as exc:
            errors.append({"index": index, "input": raw, "code": exc.code, "message": str(exc)})
            continue
        if isinstance(item, dict) and "note" in item:
            notes[raw.strip()[:ENTRY_INPUT_LENGTH]] = item["note"] or ""
    return parsed, errors, notes


def too_many_entries(count: int) -> str:
    return ngettext("%(num)s entry is more than %(max)s; split them over several applications.",
                    "%(num)s entries is more than %(max)s; split them over several applications.", count,
                    max=f"{MAX_ENTRIES:,}")


APPLICATION_FIELDS = ("purpose", "category", "entries", "endpoints", "subscriptions", "note")


def purpose_problem(purpose) -> str | None:
    """What is wrong with a purpose as sent (the web form and the API say the same), or None."""
    if not isinstance(purpose, str) or not purpose.strip():
        return _("Say in a sentence what the whitelisting is for, e.g. 'VPN to our client in Germany'.")
    if len(purpose.strip()) < MIN_PURPOSE:
        return _("'%(purpose)s' is too short to tell a reviewer what the whitelisting is for: write a sentence "
                 "of at least %(min)s characters, e.g. 'VPN to our client in Germany'.",
                 purpose=purpose.strip(), min=MIN_PURPOSE)
    if len(purpose) > MAX_PURPOSE:
        return ngettext("The purpose is %(num)s character; keep it under %(max)s.",
                        "The purpose is %(num)s characters; keep it under %(max)s.", len(purpose),
                        max=f"{MAX_PURPOSE:,}")
    return None


def parse_application(body: dict) -> ApplicationInput:
    """An ApplicationInput from the API's JSON; every problem reported at once, as 422 details."""
    problems: dict = {name: _("Unknown field %(field)s; an application takes %(fields)s.", field=repr(name),
                                fields=", ".join(APPLICATION_FIELDS))
                      for name in sorted(set(body) - set(APPLICATION_FIELDS))}
    purpose = body.get("purpose")
    if problem := purpose_problem(purpose):
        problems["purpose"] = problem
    category = body.get("category")
    if category is not None and category not in Category.ALL:
        problems["category"] = _("Category %(category)s is unknown; choose one of %(categories)s.",
                                 category=repr(category), categories=", ".join(Category.ALL))
    raw_entries = body.get("entries", [])
    if not isinstance(raw_entries, list):
        problems["entries"] = _("Send 'entries' as a list of strings: addresses, CIDRs or ranges a-b.")
        raw_entries = []
    elif len(raw_entries) > MAX_ENTRIES:  # refused before parsing: 100,000 entries would take seconds
        problems["entries"] = too_many_entries(len(raw_entries))
        raw_entries = []
    entries, entry_errors, entry_notes = parse_entries(raw_entries)
    if problem := note_problem(body.get("note")):
        problems["note"] = problem
    if entry_errors:
        problems["entries"] = entry_errors[:ERRORS_LISTED]
        if len(entry_errors) > ERRORS_LISTED:
            more = len(entry_errors) - ERRORS_LISTED
            problems["entries"].append({"more": more,
                                        "message": ngettext("…and %(num)s more bad entry.",
                                                            "…and %(num)s more bad entries.", more)})
    raw_endpoints = body.get("endpoints", [])
    endpoints = []
    if not isinstance(raw_endpoints, list) or not all(isinstance(e, dict) for e in raw_endpoints):
        problems["endpoints"] = _("Send 'endpoints' as a list of objects with host, protocol, port and peer.")
    elif len(raw_endpoints) > MAX_ENDPOINTS:
        problems["endpoints"] = ngettext("%(num)s endpoint is more than %(max)s; list at most %(max)s.",
                                         "%(num)s endpoints is more than %(max)s; list at most %(max)s.",
                                         len(raw_endpoints), max=MAX_ENDPOINTS)
    else:
        endpoints, bad_endpoints = parse_endpoints(raw_endpoints)
        if bad_endpoints:
            problems["endpoints"] = [{"index": i, "errors": errors} for i, errors in bad_endpoints.items()]
    subscriptions = None
    if "subscriptions" in body:
        subscriptions, problem = _parse_subscriptions(body["subscriptions"])
        if problem:
            problems["subscriptions"] = problem
    if problems:
        bad = [e["input"] for e in entry_errors[:ERRORS_LISTED]]
        message = (_("Unparseable entries: %(entries)s.", entries=", ".join(repr(b) for b in bad)) if bad
                   else _subscriptions_message(problems["subscriptions"]) if list(problems) == ["subscriptions"]
                   else _("The application has fields to correct: %(fields)s.", fields=", ".join(problems)))
        raise ServiceError(message, details=problems)
    return ApplicationInput(purpose.strip(), category, entries, endpoints,
                            note=(body["note"] or "") if "note" in body else None, entry_notes=entry_notes,
                            subscriptions=subscriptions)


def _parse_subscriptions(raw) -> tuple[list[SubscriptionInput], str | list | None]:
    """The subscriptions of an API body, and what is wrong with them (a message, or one per refused one)."""
    if raw is None:
        return [], None
    if not isinstance(raw, list):
        return [], _("Send 'subscriptions' as a list of %(shape)s, e.g. %(example)s.",
                     shape='{"kind": "mobile"|"fixed", "operator", "identifier"}',
                     example='{"kind": "mobile", "operator": "Jazz", "identifier": "0300-1234567"}')
    if len(raw) > MAX_SUBSCRIPTIONS:
        return [], ngettext("%(num)s subscription is more than %(max)s; list at most %(max)s on one application.",
                            "%(num)s subscriptions is more than %(max)s; list at most %(max)s on one application.",
                            len(raw), max=MAX_SUBSCRIPTIONS)
    parsed, errors = parse_subscriptions(raw)
    return parsed, errors or None


def _subscriptions_message(problem: str | list) -> str:
    """The 422's message when only subscriptions are wrong: each refused one's first problem, by its number."""
    if isinstance(problem, str):
        return problem
    return " ".join(_("Subscription %(position)s: %(problem)s", position=e["index"] + 1,
                      problem=next(iter(e["errors"].values()))) for e in problem[:10])
