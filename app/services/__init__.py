"""Every state change lives here; views, API handlers, jobs and CLI commands call these.

Workflows are packages (validation/, review/, publication/), plumbing is flat beside them. No service
commits or rolls back: its caller, a request, a job or a CLI command, commits once at its boundary through
app.transactions.committed(), which rolls everything back when a service refuses (ServiceError).
"""


class ServiceError(Exception):
    """A rule refused the change. `field` names the input at fault, when there is one."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class NotAllowed(ServiceError):
    status = 403
    code = "forbidden"


class TooSoon(ServiceError):
    """Asked again before a limit allows it: 429, and `retry_after`, the seconds until it does (Retry-After)."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int, field: str | None = None, details=None):
        super().__init__(message, field, details)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """This host cannot do it just now (its disk is full, say), though nothing is wrong with the request: 503, and
    `retry_after`, the seconds after which to try again (Retry-After)."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str, retry_after: int, details=None):
        super().__init__(message, details=details)
        self.retry_after = retry_after
