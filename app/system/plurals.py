"""A count and its noun agree: "1 decision", "2 decisions", "1 entry", "3 entries", never "1 decisions".

Every layer counts things in its messages (services, CLI, pages), so this sits with the helpers every
layer may use; templates reach it through the `counted` and `plural` filters (app.template_filters), and
tests/test_plurals.py fails on a count typed before a noun without it.
"""
import re

_SIBILANT = re.compile(r"(s|x|z|ch|sh)$")
_CONSONANT_Y = re.compile(r"[^aeiou]y$")


def plural(noun: str, count: float = 2, plural_form: str | None = None) -> str:
    """`noun` as it goes with `count`: "day" for 1, "days" for anything else (0 too). English's regular
    endings are built in (entry → entries, address → addresses); pass `plural_form` for any other."""
    if count == 1:
        return noun
    if plural_form:
        return plural_form
    if _CONSONANT_Y.search(noun):
        return noun[:-1] + "ies"
    if _SIBILANT.search(noun):
        return noun + "es"
    return noun + "s"


def counted(count: float, noun: str, plural_form: str | None = None) -> str:
    """"1 decision", "1,204 decisions": the number (whole numbers with thousands separated) and its noun."""
    number = f"{count:,}" if isinstance(count, int) else str(count)
    return f"{number} {plural(noun, count, plural_form)}"
