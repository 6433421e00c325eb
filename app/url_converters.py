"""URL converters: an `<int:id>` larger than any stored id is a 404, not a database error.

Werkzeug's int converter takes any run of digits, and PostgreSQL refuses a number past its integer
range with an error (a 500 for the hostile tester's `/applications/9223372036854775808`).
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of the INTEGER primary keys, on PostgreSQL as on SQLite


class IdConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
