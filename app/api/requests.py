"""Reading API request bodies: a clear 400/415 instead of a 500 for anything malformed."""
from flask import abort, request


def json_body() -> dict:
    if not request.is_json:
        abort(415, description="Send a JSON body with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if body is None:
        abort(400, description="The body is not valid JSON; send a JSON object: {\"field\": value, ...}.")
    if not isinstance(body, dict):
        abort(400, description=f"The body is a JSON {type(body).__name__}, not an object; "
                               "send {\"field\": value, ...}.")
    return body


def multipart_form() -> None:
    """Refuse (415) anything but a multipart form, rather than reading its fields as missing."""
    if request.mimetype != "multipart/form-data":
        abort(415, description="Send the document as multipart/form-data with the fields file and kind "
                               "(curl -F kind=ntn_certificate -F file=@ntn.pdf).")

