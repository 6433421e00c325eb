"""The operators' `radius` subscriber feed is loaded by the real FreeRADIUS as its `users` file.

A copy of Debian's /etc/freeradius/3.0 gets the feed as mods-config/files/authorize (what `users` links to)
and `freeradius -XC -d DIR` checks the whole configuration, which parses that file: a line it cannot read
fails the check (the last test shows it does). Skips only when the binary is missing (.ci/run installs it).
"""
import re
import shutil
import subprocess
from datetime import datetime, timezone

import pytest

from app.export.snapshot import Holder
from app.export.subscribers import SUBSCRIBER_RENDERERS, SubscriberFeed, radius_string

DEBIAN_CONFIG = "/etc/freeradius/3.0"
HOLDER = Holder("Ayesha Khan", "freelancer", "2026-12-01T10:00:00+00:00", "")


def _freeradius() -> str:
    path = shutil.which("freeradius") or shutil.which("freeradius", path="/usr/sbin:/sbin")
    if path is None:
        pytest.skip("`freeradius` is not installed: apt-get install freeradius (.ci/run does)")
    return path


def _check(tmp_path, users: bytes) -> subprocess.CompletedProcess:
    binary = _freeradius()
    config = tmp_path / "freeradius"
    shutil.copytree(DEBIAN_CONFIG, config, symlinks=True)
    # Debian's server drops to user freerad, who cannot read a test's temporary directory; the check needs no
    # privileges, so the copy keeps the user running it.
    radiusd = config / "radiusd.conf"
    radiusd.write_text(re.sub(r"(?m)^(\s*)(user|group) = ", r"\1# \2 = ", radiusd.read_text()))
    authorize = config / "mods-config" / "files" / "authorize"
    authorize.unlink()
    authorize.write_bytes(users)
    return subprocess.run([binary, "-XC", "-d", str(config)], capture_output=True, text=True, timeout=120)


def _feed(rows) -> SubscriberFeed:
    return SubscriberFeed(7, datetime(2026, 12, 6, tzinfo=timezone.utc), "Jazz \"Mobile\"\nLtd", rows,
                          {1: HOLDER}, "raasta-vpn")


def test_freeradius_accepts_the_feed(tmp_path):
    rows = [("+923001234567", "mobile", 1), ("+923451112222", "mobile", 1), ("lhr-0042@ptcl.net.pk", "fixed", 1),
            ('odd"account\\name', "fixed", 1)]  # refused by the inputs; escaped here all the same
    body = SUBSCRIBER_RENDERERS["radius"](_feed(rows))
    assert 'DEFAULT\tCalling-Station-Id == "923001234567"\n\tFilter-Id := "raasta-vpn",\n\tFall-Through = Yes\n' \
        in body.decode()
    assert 'User-Name == "odd\\"account\\\\name"' in body.decode()
    result = _check(tmp_path, body)
    assert result.returncode == 0 and "Configuration appears to be OK" in result.stdout, result.stdout[-3000:]


def test_freeradius_accepts_an_empty_feed(tmp_path):
    result = _check(tmp_path, SUBSCRIBER_RENDERERS["radius"](_feed([])))
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_check_fails_on_a_broken_users_file(tmp_path):
    result = _check(tmp_path, b'DEFAULT\tUser-Name == "broken"quote"\n\tFilter-Id := "x"\n')
    assert result.returncode != 0 and "Parse error" in result.stdout + result.stderr


@pytest.mark.parametrize("value", ["line\nbreak", "tab\there", "%{exec:/bin/sh}"])
def test_what_cannot_be_written_safely_is_refused(value):
    with pytest.raises(ValueError, match="RADIUS users file"):
        radius_string(value)


@pytest.mark.parametrize("value", ['raasta"vpn', "raasta\\vpn", "raasta\nvpn", "x" * 65, "räasta"])
def test_a_radius_filter_id_that_would_break_the_file_stops_start_up_naming_it(monkeypatch, value):
    from app.config import ConfigError, TestConfig
    monkeypatch.setenv("RADIUS_FILTER_ID", value)
    with pytest.raises(ConfigError, match="RADIUS_FILTER_ID=.* cannot be written in a FreeRADIUS users file"):
        TestConfig()


def test_radius_filter_id_is_configurable(monkeypatch):
    from app.config import TestConfig
    monkeypatch.setenv("RADIUS_FILTER_ID", "vpn allowed")
    assert TestConfig().RADIUS_FILTER_ID == "vpn allowed"
    monkeypatch.delenv("RADIUS_FILTER_ID")
    assert TestConfig().RADIUS_FILTER_ID == "raasta-vpn"
