"""Reading API request bodies: a clear 400/415 instead of a 500 for anything malformed."""
from collections.abc import Collection

from flask import abort, request

from app.i18n import _, ngettext
from app.services import ServiceError


def json_body() -> dict:
    if not request.is_json:
        abort(415, description=_("Send a JSON body with Content-Type: application/json."))
    body = request.get_json(silent=True)
    if body is None:
        abort(400, description=_("The body is not valid JSON; send a JSON object: %(shape)s.",
                                 shape='{"field": value, ...}'))
    if not isinstance(body, dict):
        abort(400, description=_("The body is a JSON %(type)s, not an object; send %(shape)s.",
                                 type=type(body).__name__, shape='{"field": value, ...}'))
    return body


def multipart_form() -> None:
    """Refuse (415) anything but a multipart form, rather than reading its fields as missing."""
    if request.mimetype != "multipart/form-data":
        abort(415, description=_("Send the document as multipart/form-data with the fields file and kind "
                                 "(%(example)s).", example="curl -F kind=ntn_certificate -F file=@ntn.pdf"))


def known_fields(body: dict, allowed: Collection[str], what: str) -> dict:
    """`body`, or a 422 naming every field that `what` does not take: a misspelt field would otherwise be
    dropped, and what it held with it."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ServiceError(ngettext("Unknown field %(fields)s; %(what)s takes %(allowed)s.",
                                    "Unknown fields %(fields)s; %(what)s takes %(allowed)s.", len(unknown),
                                    fields=", ".join(unknown), what=what, allowed=", ".join(allowed)),
                           details={name: _("unknown field") for name in unknown})
    return body


def text_fields(body: dict, what: str, lists: Collection[str] = ()) -> dict:
    """`body`, or a 422 naming every field that is neither text nor null (those in `lists`: a list of text): a
    number or an object where text belongs would otherwise reach the services as something they cannot read."""
    wrong = {}
    for name, value in body.items():
        if name in lists:
            if value is not None and not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
                wrong[name] = _("must be a list of strings")
        elif value is not None and not isinstance(value, str):
            wrong[name] = _("must be a string")
    if wrong:
        raise ServiceError(_("In %(what)s, %(fields)s must be text.", what=what, fields=", ".join(sorted(wrong))),
                           details=wrong)
    return body
