"""Reading API request bodies: a clear 400/415 instead of a 500 for anything malformed."""
from flask import abort, request


def json_body() -> dict:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="The body is not a JSON object; send {\"field\": value, ...}.")
    return body

