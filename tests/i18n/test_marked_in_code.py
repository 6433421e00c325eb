"""No user-facing sentence in the Python sources escapes translation (issue 23).

The pages' own words are checked by rendering them (test_pages_in_urdu); this finds, in the source, the sentences
a page only shows on some paths: a flash, a refusal (ServiceError and its kin, a form's ValidationError, an address
parser's EntryError), a form field's label or description, a validator's message, a notification, a finding. Each
must reach the reader through app.i18n (_, _l, ngettext, Phrase), never as a bare literal or f-string.
"""
import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
# Calls whose first argument is a sentence a person reads.
SENTENCE_FIRST = {"flash", "ServiceError", "Conflict", "NotAllowed", "TooSoon", "TooLarge", "UnsupportedType",
                  "NotInBatch", "UnstorableText", "ValidationError", "StopValidation", "EntryError",
                  "NotAMobileNumber"}
# Keyword arguments that hold such a sentence, whatever the call.
SENTENCE_KEYWORDS = {"message", "label", "description", "reviewer_message", "subject", "body"}
LETTERS = re.compile(r"[A-Za-z]{2,}")
# Where a literal is not for people: the CLI speaks to operators, and the API description is English by contract.
NOT_FOR_PEOPLE = ("cli/", "api/openapi.py", "runtime/", "i18n/")


def bare_sentence(node) -> bool:
    """A literal with words in it, an f-string, or a literal formatted with % or .format()."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(LETTERS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and LETTERS.search(str(part.value)) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return bare_sentence(node.left) or bare_sentence(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return bare_sentence(node.func.value)
    return False


def called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def field_call(name: str) -> bool:
    return name.endswith("Field") and name[0].isupper()


def unmarked(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = called(node)
        if name in ("_", "_l", "ngettext", "lazy_ngettext", "Phrase"):
            continue
        if (name in SENTENCE_FIRST or field_call(name)) and node.args and bare_sentence(node.args[0]):
            yield node.lineno, name, ast.unparse(node.args[0])[:80]
        for keyword in node.keywords:
            if keyword.arg in SENTENCE_KEYWORDS and bare_sentence(keyword.value):
                yield node.lineno, f"{name}({keyword.arg}=)", ast.unparse(keyword.value)[:80]


def test_every_sentence_for_people_in_the_code_is_marked_for_translation():
    found = [f"{path.relative_to(APP.parent)}:{line}: {call} {text}"
             for path in sorted(APP.rglob("*.py")) if not str(path.relative_to(APP)).startswith(NOT_FOR_PEOPLE)
             for line, call, text in unmarked(path)]
    assert not found, f"{len(found)} sentences not marked for translation:\n" + "\n".join(found)
