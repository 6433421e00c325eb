"""Every format, byte for byte, against files reviewed by eye and committed under golden/.

After an intended change of format, regenerate with RAASTA_WRITE_GOLDEN=1 (the test then fails,
so a rewrite never passes unnoticed), read the diff, and commit the new files.
"""
import os
from pathlib import Path

import pytest

from app.choices import WhitelistFormat
from app.export import RENDERERS, render

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("fmt", WhitelistFormat.ALL)
@pytest.mark.parametrize("fixture, stem", [("snapshot", "snapshot"), ("empty_snapshot", "empty")])
def test_format_matches_its_golden_file(request, fmt, fixture, stem):
    body = render(fmt, request.getfixturevalue(fixture))
    path = GOLDEN / f"{stem}.{fmt}"
    if os.environ.get("RAASTA_WRITE_GOLDEN"):
        path.write_bytes(body)
        pytest.fail(f"wrote {path}: review it and commit it, then run without RAASTA_WRITE_GOLDEN")
    assert body == path.read_bytes(), f"{fmt} differs from {path}"


def test_renderers_follow_the_order_of_the_formats():
    assert tuple(RENDERERS) == WhitelistFormat.ALL


@pytest.mark.parametrize("fmt", WhitelistFormat.ALL)
def test_the_same_snapshot_gives_the_same_bytes(snapshot, fmt):
    again = snapshot._replace(entries=list(snapshot.entries), holders=dict(snapshot.holders), cidrs=list(snapshot.cidrs))
    assert render(fmt, snapshot) == render(fmt, again)


@pytest.mark.parametrize("fmt", WhitelistFormat.ALL)
def test_every_format_but_the_bare_lists_names_its_serial(snapshot, fmt):
    changed = render(fmt, snapshot) != render(fmt, snapshot._replace(serial=snapshot.serial + 1))
    assert changed == (fmt not in (WhitelistFormat.TXT, WhitelistFormat.CSV))
