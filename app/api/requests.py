"""Reading API request bodies: a clear 400/415/422 instead of a 500 for anything malformed."""
from flask import abort, request

from app.services import ServiceError


def json_body() -> dict:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="The body is not a JSON object; send {\"field\": value, ...}.")
    return body


def field(body: dict, name: str, kind: type = str, required: bool = True, default=None):
    """One field of a JSON body, checked for presence and type."""
    if name not in body or body[name] is None:
        if required:
            raise ServiceError(f"'{name}' is required.", field=name)
        return default
    value = body[name]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ServiceError(f"'{name}' must be {kind.__name__}, not {type(value).__name__}.", field=name)
    return value
