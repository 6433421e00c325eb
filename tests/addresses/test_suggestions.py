"""Every "did you mean X" / "type X" that parse_entry offers names an X that parse_entry accepts.

Fuzzed with hypothesis from three directions: noise over the characters entries are made of, and
near-misses built from real addresses (zero-padded octets, host bits, ranges typed backwards).
"""
import re

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from app.addresses import EntryError, parse_entry

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROPOSED = re.compile(r"did you mean (\S+)\?|type (\S+) if that is what you mean")


def _suggestion_of(text: str) -> str | None:
    """The entry the refusal of `text` proposes (None when it parses or proposes nothing), after
    checking that the words and `.suggestion` agree."""
    try:
        parse_entry(text)
    except EntryError as exc:
        match = PROPOSED.search(exc.message)
        named = match and (match.group(1) or match.group(2))
        assert named == exc.suggestion, (text, exc.message, exc.suggestion)
        return exc.suggestion
    return None


def _accepted(suggestion: str) -> None:
    try:
        parse_entry(suggestion)
    except EntryError as exc:
        pytest.fail(f"the suggestion {suggestion!r} is itself refused: {exc}")


octet = st.integers(0, 255)
padded = st.builds(lambda n, zeros: "0" * zeros + str(n), st.integers(0, 999), st.integers(0, 2))
dotted = st.builds(lambda *parts: ".".join(parts), padded, padded, padded, padded)
quad = st.builds(lambda *parts: ".".join(map(str, parts)), octet, octet, octet, octet)


@FUZZ
@given(st.text(alphabet="0123456789.:/-abcdefx ", max_size=40))
@example("0300.0.0.1")
@example("010.1.1.1-0300.1.1.1")
@example("101.1.1.1-01.1.1.1")
def test_noise_never_gets_a_suggestion_that_is_refused(text):
    suggestion = _suggestion_of(text)
    if suggestion is not None:
        _accepted(suggestion)


@FUZZ
@given(st.one_of(
    dotted,
    st.builds(lambda a, n: f"{a}/{n}", dotted, st.integers(0, 32)),
    st.builds(lambda a, b: f"{a}-{b}", dotted, dotted),
    st.builds(lambda a: f"::ffff:{a}", dotted),
    st.builds(lambda a, n: f"{a}/{n}", quad, st.integers(0, 32)),
    st.builds(lambda a, b: f"{a}-{b}", quad, quad),
))
def test_near_misses_get_suggestions_that_parse(text):
    suggestion = _suggestion_of(text)
    if suggestion is not None:
        _accepted(suggestion)


@pytest.mark.parametrize("text, suggestion", [
    ("0300.0.0.1", None),                         # out of range, not octal: nothing to propose
    ("010.1.1.1", "10.1.1.1"),
    ("::ffff:010.1.1.1", "::ffff:10.1.1.1"),      # the whole entry, not only the bad part
    ("010.1.1.9-010.1.1.2", "10.1.1.2-10.1.1.9"),  # both ends fixed, then put in order
    ("39.32.12.5/24", "39.32.12.0/24"),
    ("39.32.12.20-39.32.12.5", "39.32.12.5-39.32.12.20"),
])
def test_the_suggestion_is_the_whole_corrected_entry(text, suggestion):
    assert _suggestion_of(text) == suggestion
