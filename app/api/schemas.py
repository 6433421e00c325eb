"""JSON schemas of the API's request bodies, for the OpenAPI description (openapi.documented).

They describe what the handlers accept; the services still check every field and answer 422 naming
the one at fault, so a schema here never replaces a check.
"""
from app.choices import (
    REJECTION_REASONS,
    ApplicantKind,
    Category,
    DocumentKind,
    Protocol,
    SubscriptionKind,
)

_TEXT = {"type": "string"}
_OPTIONAL_TEXT = {"type": ["string", "null"]}


def _object(required: tuple[str, ...], **properties) -> dict:
    return {"type": "object", "required": list(required), "properties": properties, "additionalProperties": False}


PROFILE = _object(
    ("kind", "name", "city"),
    kind={"enum": list(ApplicantKind.ALL)},
    name=_TEXT,
    ntn={**_OPTIONAL_TEXT, "description": "Firms: 1234567-8 (12345678 is tidied to it)."},
    cnic={**_OPTIONAL_TEXT, "description": "Freelancers: 35202-1234567-1 (13 digits without dashes work too)."},
    secp_number=_OPTIONAL_TEXT, pseb_number=_OPTIONAL_TEXT, platform_url=_OPTIONAL_TEXT, city=_TEXT,
    phone={**_OPTIONAL_TEXT, "description": "0300-1234567, +92 51 1234567, or a UAN such as 021-111-222-333."},
    isp_name={**_OPTIONAL_TEXT, "description": "The ISP of the connection whose addresses are whitelisted; needed "
                                               "only to submit an application with address entries."},
    isp_subscriber_id={**_OPTIONAL_TEXT, "description": "The subscriber or account id that ISP gave; it confirms it."},
)

ENDPOINT = _object(
    ("host", "protocol"),
    host={"type": "string", "maxLength": 255, "description": "A hostname or one IP address."},
    protocol={"enum": list(Protocol.ALL)},
    port={"type": ["integer", "null"], "minimum": 1, "maximum": 65535},
    peer={"type": ["string", "null"], "maxLength": 255},
)

_ENTRY = {"type": "string", "description": "An address, a CIDR or a range a-b; IPv4 or IPv6."}
SUBSCRIPTION = _object(
    ("kind", "operator", "identifier"),
    kind={"enum": list(SubscriptionKind.ALL)},
    operator={"type": "string", "maxLength": 100,
              "description": "An organisation on Raasta of that kind (a mobile operator such as Jazz, Zong, Telenor "
                             "or Ufone; a fixed-line ISP such as PTCL); names match in any case."},
    identifier={"type": "string", "maxLength": 100,
                "description": "A Pakistani mobile number (0300-1234567, +92 300 1234567, Urdu digits...) or the "
                               "account id the ISP gave."},
)
_NOTE = {"type": ["string", "null"], "maxLength": 2000}

APPLICATION = {
    "type": "object",
    "required": ["purpose"],
    "properties": {
        "purpose": {"type": "string", "minLength": 10, "maxLength": 2000,
                    "description": "A sentence saying what the whitelisting is for (10 characters or more)."},
        "category": {"enum": [*Category.ALL, None]},
        "entries": {"type": "array", "maxItems": 5000, "items": {"anyOf": [
            _ENTRY,
            _object(("input",), input=_ENTRY, note={**_NOTE, "description": (
                "Optional: what the reviewer should know about this entry. Left out, the entry keeps the note "
                "it had; null or empty clears it.")}),
        ]}},
        "endpoints": {"type": "array", "maxItems": 50, "items": ENDPOINT},
        "subscriptions": {"type": "array", "maxItems": 50, "items": SUBSCRIPTION, "description": (
            "Connections whose address changes: a mobile number (any usual spelling, stored as E.164) with its "
            "operator, or a fixed-line or broadband account id with its ISP. Left out, the application keeps the "
            "ones it has."), "examples": [[{"kind": "mobile", "operator": "Jazz", "identifier": "0300-1234567"}]]},
        "note": {**_NOTE, "description": ("Optional: what the reviewer should know, e.g. why a range is announced "
                                          "by another ISP. Left out, the application keeps the note it had; null "
                                          "or empty clears it.")},
    },
    "additionalProperties": False,
}

DOCUMENT_UPLOAD = _object(
    ("file", "kind"),
    file={"type": "string", "format": "binary", "description": "PDF, PNG or JPEG, judged by content."},
    kind={"enum": list(DocumentKind.ALL)},
)

SUBMIT = _object((), reply={"type": ["string", "null"], "maxLength": 2000,
                            "description": "Optional: an answer to the reviewer who asked for more information."})
SMS_CODE = _object(("code",), code={"type": "string", "pattern": "^[0-9 ]{6,12}$", "examples": ["123456"],
                                    "description": "The 6 digits of the SMS sent to the number (spaces ignored)."})
REASON = _object(("reason",), reason={"type": "string", "examples": [r.english for r in REJECTION_REASONS]})
REINSTATE = _object(("reason",), reason={"type": "string", "description": "Why the approval stands after the ISP's "
                                                                         "dispute; the applicant reads it."})
MESSAGE = _object(("message",), message=_TEXT)
OVERRIDE = _object(("code", "reason"), code={"type": "string", "description": "An error finding's code, or "
                                                                              "isp.pending once overdue."},
                   reason=_TEXT)
NOTE = _object(("body",), body=_TEXT)
BATCH = _object(("application_ids",), application_ids={"type": "array", "minItems": 1, "items": {"type": "integer"}},
                note=_OPTIONAL_TEXT)
CLEAN_LANE_OFFER = _object(("application_ids",), application_ids={
    "type": "array", "minItems": 1, "items": {"type": "integer"},
    "description": "The ids of one offer, as GET /api/v1/review/clean-lane listed them."})
BATCH_REMOVAL = _object((), reason={**_OPTIONAL_TEXT, "maxLength": 2000,
                                    "description": "Optional: why the application leaves the batch (kept in the "
                                                   "audit trail)."})
ISP_ANSWER = _object(("answer",), answer={"enum": ["confirm", "dispute"]},
                     reason={**_OPTIONAL_TEXT, "description": "Required when disputing."})
ISP_ANSWERS = {"type": "array", "items": {**ISP_ANSWER, "required": ["application_id", "answer"],
                                          "properties": {"application_id": {"type": "integer"},
                                                         **ISP_ANSWER["properties"]}}}
WEBHOOK = _object(("url",), url={"type": ["string", "null"], "format": "uri"})
