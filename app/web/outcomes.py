"""Running a service call from a web view: commit and say so, or roll back and say why not."""
from typing import Callable

from flask import flash

from app.services import ServiceError
from app.transactions import committed

FAILED = object()  # what commit_or_flash returns when the service refused


def commit_or_flash(change: Callable, success: str | Callable, about: Callable[[str], str] | None = None) -> object:
    """Call `change()`; on success commit and flash `success` (text, or a function of the result) and
    return the result; on a ServiceError roll back, flash its message (through `about`, where a page lists
    many: a function of the message giving the whole sentence, e.g. "Application 12: ...") and return `FAILED`."""
    try:
        with committed():
            result = change()
    except ServiceError as exc:
        flash(about(exc.message) if about else exc.message, "error")
        return FAILED
    flash(success(result) if callable(success) else success, "success")
    return result
