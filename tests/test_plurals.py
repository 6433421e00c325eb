"""A count and its noun agree everywhere ("1 decision", never "1 decisions"): the sources may not put a
count typed as {{ n }} or {n} straight before a noun, nor build the plural by hand ('s' if n != 1).
Text a person reads uses ngettext (app.i18n; `{% trans count=n %}...{% pluralize %}` in templates), so each
language gets its own plural forms; app.system.plurals (the `counted` and `plural` filters) is left for text
no one translates (CLI, logs)."""
import re
from pathlib import Path

from app.system.plurals import counted, plural

ROOT = Path(__file__).resolve().parent.parent
# The nouns the portal counts, in the singular; the pattern matches either form.
NOUNS = ("application", "entry", "endpoint", "decision", "day", "time", "warning", "problem", "prefix",
         "subscriber", "document", "version", "hour", "minute", "second", "address", "row", "job", "finding",
         "batch", "error", "event", "file", "delivery", "character", "account", "notification", "item", "line",
         "worker", "retry", "attempt", "organisation", "reviewer", "applicant", "range", "token", "answer",
         "message", "note", "month", "week", "year", "byte", "country", "network", "piece", "copy", "approval",
         "change")
_NOUN = r"(?:" + "|".join(re.escape(plural(n)) + "|" + re.escape(n) for n in NOUNS) + r")\b"
_TEMPLATE_COUNT = re.compile(r"\{\{\s*(?P<expr>[^}]*?)\s*\}\}\s+(?P<noun>" + _NOUN + ")")
_PYTHON_COUNT = re.compile(r"\{(?P<expr>[^{}]+?)(?::(?P<spec>[^{}]*))?\}\s+(?P<noun>" + _NOUN + ")")
_HAND_MADE = re.compile(r"""['"](?:e?s)['"]\s+if\b|\b(?!http\()[a-z]+\(s\)""")  # also "job(s)"
# What stands before such a noun without counting it: a name or a label, not a number.
NOT_COUNTS = {
    "application.category|category_label",   # "a Freelancer VPN application"
    "Category.LABELS[application.category]",
    "state",                                  # "No pending subscribers"
    "version.serial",                         # "Version 5 changes"
    "f.format",                               # "the csv file"
    "self.version",                           # "an IPv4 range"
    "role", "family", "name", "where", "what",
    "category", "serial", "file", "format", "header",  # names given to values inside {% trans %} sentences
}
# A {% trans count=n %}...{% pluralize %}...{% endtrans %} block is the plural helper itself (ngettext).
_PLURAL_BLOCK = re.compile(r"\{%-?\s*trans\b[^%]*%\}(?:(?!\{%-?\s*endtrans).)*?"
                           r"\{%-?\s*pluralize\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)


def _without_plural_blocks(text: str) -> str:
    """The template with its plural blocks blanked out, line numbers kept."""
    return _PLURAL_BLOCK.sub(lambda block: "\n" * block[0].count("\n"), text)


def _constant(expr: str) -> bool:
    """An upper-case constant or a literal number: always more than one of what it counts."""
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*|\d+", expr.strip()))


def _offences():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(_without_plural_blocks(path.read_text()).splitlines(), 1):
            for match in _TEMPLATE_COUNT.finditer(line):
                if match["expr"] not in NOT_COUNTS and not _constant(match["expr"]):
                    yield f"{path.relative_to(ROOT)}:{number}: {match[0]}"
            if _HAND_MADE.search(line):
                yield f"{path.relative_to(ROOT)}:{number}: a plural made by hand: {line.strip()}"
    for path in sorted((ROOT / "app").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in _PYTHON_COUNT.finditer(line):
                decimal = re.fullmatch(r"\.\d+f", match["spec"] or "")  # "1.0 hours" takes the plural
                if match["expr"] not in NOT_COUNTS and not _constant(match["expr"]) and not decimal:
                    yield f"{path.relative_to(ROOT)}:{number}: {match[0]}"
            if _HAND_MADE.search(line):
                yield f"{path.relative_to(ROOT)}:{number}: a plural made by hand: {line.strip()}"


def test_no_count_stands_before_a_noun_without_the_plural_helper():
    found = list(_offences())
    assert not found, ("use ngettext (app.i18n; {% trans count=n %} in templates), or app.system.plurals.counted "
                       "for text no one translates:\n" + "\n".join(found))


def test_the_checker_sees_what_it_should():
    assert _TEMPLATE_COUNT.search("over {{ times.decided }} decisions in")
    assert _TEMPLATE_COUNT.search("{{ n }} entry")
    assert _PYTHON_COUNT.search('f"{sum(flow.decided):,} decisions in {DAYS} days"')["expr"] == "sum(flow.decided)"
    assert not _TEMPLATE_COUNT.search("{{ n|counted('decision') }} in the last days")
    assert "entries" not in _without_plural_blocks(
        "{% trans count=n %}{{ count }} entry{% pluralize %}{{ count }} entries{% endtrans %}")
    assert "{{ n }} entries" in _without_plural_blocks("{% trans n=n %}{{ n }} entries{% endtrans %}")
    assert _HAND_MADE.search("{{ n }} job(s) are") and not _HAND_MADE.search("an http(s) address")
    assert _HAND_MADE.search("decision{{ 's' if n != 1 }}") and _HAND_MADE.search("""f"day{'s' if d else ''}" """)


def test_counted_agrees_with_its_number():
    assert counted(1, "decision") == "1 decision" and counted(0, "decision") == "0 decisions"
    assert counted(1204, "entry") == "1,204 entries" and counted(1, "entry") == "1 entry"
    assert counted(2, "address") == "2 addresses" and counted(3, "day") == "3 days"
    assert counted(2, "batch") == "2 batches" and counted(5, "prefix") == "5 prefixes"
    assert plural("application", 1) == "application" and plural("child", 2, "children") == "children"
