"""The Urdu catalogue is complete: every marked string of the code is in it, translated, not fuzzy, with the same
placeholders, and the compiled catalogue the app loads is the one built from it."""
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from app.config import REPO_ROOT

TRANSLATIONS = REPO_ROOT / "app" / "translations"
CATALOGUE = TRANSLATIONS / "ur" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%|\{\{ ?[a-z_]+ ?\}\}|%\([a-z_]+\)d")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def read(path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def catalogue():
    return read(CATALOGUE)


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """Every string the sources mark today, extracted as `make messages` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_ngettext:1,2", "-k", "Phrase", "-o", str(pot), "app", "templates"],
                   cwd=REPO_ROOT, check=True, capture_output=True)
    return read(pot)


def entries(catalogue):
    return [message for message in catalogue if message.id]


def test_every_marked_string_is_in_the_catalogue(catalogue, marked):
    missing = [message.id for message in entries(marked) if message.id not in catalogue]
    assert not missing, f"{len(missing)} marked strings are not in messages.po (run `make messages` and translate " \
                        f"them): {missing[:10]}"


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [message.id for message in entries(catalogue)
                    if not all(message.string if isinstance(message.string, tuple) else (message.string,))]
    fuzzy = [message.id for message in entries(catalogue) if message.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:10]}"


def test_each_translation_keeps_the_placeholders_and_is_urdu(catalogue):
    wrong = []
    for message in entries(catalogue):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids)) - {"%%"}
        used = [set(PLACEHOLDER.findall(string)) - {"%%"} for string in strings]
        # A plural's "one" form may leave the count out ("this" for 1), as English's does; nothing else may go.
        if any(placeholders - wanted for placeholders in used) or set().union(*used) != wanted:
            wrong.append((ids[0], strings))
    assert not wrong, f"placeholders differ from the English: {wrong[:5]}"
    latin_only = [message.id for message in entries(catalogue)
                  if re.search("[a-z]{3}", str(message.id)) and not any(
                      ARABIC_SCRIPT.search(s) for s in (message.string if isinstance(message.string, tuple)
                                                        else (message.string,)))]
    # Brand and protocol names stay as they are; anything else in Latin letters only was not translated.
    assert len(latin_only) < 0.03 * len(entries(catalogue)), f"not translated into Urdu: {latin_only[:20]}"


# A number with punctuation written into a translation (an example NTN, an address, a phone number): beside
# Urdu text and brackets the bidi algorithm would reorder its parts ("(12345678" and "1234567-8" swap), so the
# translation wraps it in FSI ... PDI, as app.i18n does for values.
BARE_NUMBER = re.compile(r"(?<![\w.:/+-])[+/]?\d(?:[\w.:/+-]*[\w/+])?(?: \d(?:[\w.:/+-]*[\w/+])?)*")
NEEDS_ISOLATION = re.compile(r"\d[.:/+-]|[.:/+-]\d|^\+|^/|\d \d")
MARKUP = re.compile(r"<[^>]*>|%\([a-z_]+\)s|\{[a-z_]+\}|\u2068[^\u2069]*\u2069")  # and what is isolated


def test_numbers_written_into_translations_keep_their_order():
    bare = [(message.id, number) for message in entries(catalogue_of_record())
            for string in (message.string if isinstance(message.string, tuple) else (message.string,))
            for number in BARE_NUMBER.findall(MARKUP.sub(" ", string)) if NEEDS_ISOLATION.search(number)]
    assert not bare, f"wrap these in \\u2068 ... \\u2069 in messages.po: {bare[:10]}"


def catalogue_of_record():
    return read(CATALOGUE)


def test_no_entry_is_left_over_from_removed_code(catalogue, marked):
    obsolete = [message.id for message in entries(catalogue) if message.id not in marked]
    assert not obsolete, f"{len(obsolete)} entries no code uses (run `make messages`): {obsolete[:10]}"


def test_the_compiled_catalogue_is_built_from_the_current_one():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime, \
        "messages.mo is missing or older than messages.po: run `make install` (it compiles it)"
