"""Refuse input no field can hold, before any view sees it: a clear 400/422 instead of a 500.

NUL bytes (PostgreSQL text cannot store them) and lone UTF-16 surrogates (not encodable as UTF-8) in
any query argument, form field or JSON string, and JSON nested deeper than anything the API takes
(Python's parser would recurse until it fails).
"""
import re

import numpy as np
from flask import Flask, abort, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.i18n import _, ngettext
from app.services import ServiceError

MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:\\.|[^"\\])*"', re.S)
_OPEN, _CLOSE = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)


class UnstorableText(ServiceError):
    """A text field holds a NUL byte or a lone surrogate."""


def _bad_text(value: str) -> bool:
    return "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value)


def _json_depth(body: bytes) -> int:
    """How deeply the body's arrays and objects nest, strings left out; no parsing, so no recursion."""
    data = np.frombuffer(_JSON_STRING.sub(b'""', body), np.uint8)
    if not len(data):
        return 0
    steps = np.isin(data, _OPEN).astype(np.int32) - np.isin(data, _CLOSE).astype(np.int32)
    return int(np.cumsum(steps).max(initial=0))


def _strings(value, path: str):
    """(field path, text) for every string in a parsed JSON value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, path)
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _refuse(field: str):
    raise UnstorableText(_("The field %(field)s contains a NUL byte or an invalid character; remove it and send it "
                           "again.", field=repr(field)), field=field)


def upload_limit(max_bytes: int, too_large):
    """Give a view its own body limit instead of MAX_CONTENT_LENGTH, and its own refusal past it (`too_large()`
    returns the exception to raise, one that names the limit), since the form is read here, before the view."""
    def attach(view):
        view.upload_limit = (max_bytes, too_large)
        return view

    return attach


def check_request_input() -> None:
    for name, value in request.args.items(multi=True):
        if _bad_text(name) or _bad_text(value):
            _refuse(name)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        declared = getattr(current_app.view_functions.get(request.endpoint), "upload_limit", None)
        if declared:
            request.max_content_length = declared[0]
        try:
            fields = request.form.items(multi=True)
        except RequestEntityTooLarge:
            if declared:
                raise declared[1]() from None
            raise
        for name, value in fields:
            if _bad_text(name) or _bad_text(value):
                _refuse(name)
    elif request.is_json:
        body = request.get_data(cache=True)
        if _json_depth(body) > MAX_JSON_DEPTH:
            abort(400, description=ngettext("The JSON body nests deeper than %(num)s level; nothing here takes that.",
                                            "The JSON body nests deeper than %(num)s levels; nothing here takes that.",
                                            MAX_JSON_DEPTH))
        for path, text in _strings(request.get_json(silent=True), ""):
            if _bad_text(text):
                _refuse(path or "body")


def init_app(app: Flask) -> None:
    app.before_request(check_request_input)
