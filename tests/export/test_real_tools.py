"""The firewall formats fed to the real tools: nft checks and loads its file, ipset restores and swaps.

Everything is loaded under names made unique for this run and removed in a `finally`; the nft table
has no hooked chain and the ipsets are referenced by no rule, so no traffic is ever touched. A test
skips only when the binary is missing (naming the Debian package) or when the kernel refuses the
operation, which is found by trying, not guessed (containers without CAP_NET_ADMIN say so).
"""
import json
import os
import secrets
import shutil
import subprocess

import pytest

from app.export.ipset import TEMPORARY_SUFFIX, render_ipset
from app.export.nft import render_nft

KERNEL_REFUSALS = ("Operation not permitted", "Permission denied", "Kernel error received",
                   "Cannot open session", "Protocol not supported", "Address family not supported")


def _tool(name: str, package: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        pytest.skip(f"`{name}` is not installed: apt-get install {package} (.ci/run does)")
    return path


def _run(*args: str, body: bytes | None = None, may_refuse: bool = False) -> subprocess.CompletedProcess:
    result = subprocess.run(args, input=body, capture_output=True, timeout=120)
    stderr = result.stderr.decode(errors="replace")
    if result.returncode and may_refuse and any(refusal in stderr for refusal in KERNEL_REFUSALS):
        pytest.skip(f"the kernel refuses `{' '.join(args[:3])}` here: {stderr.strip()}")
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{stderr}"
    return result


def _unique(prefix: str) -> str:
    return f"{prefix}{os.getpid() % 100_000}{secrets.token_hex(2)}"


@pytest.mark.parametrize("fixture", ["snapshot", "empty_snapshot"])
def test_nft_accepts_the_body(request, tmp_path, fixture):
    nft = _tool("nft", "nftables")
    path = tmp_path / "whitelist.nft"
    path.write_bytes(render_nft(request.getfixturevalue(fixture)))
    _run(nft, "-c", "-f", str(path), may_refuse=True)


def _nft_members(nft: str, table: str, name: str) -> set[str]:
    listing = json.loads(_run(nft, "-j", "list", "set", "inet", table, name).stdout)
    (found,) = [item["set"] for item in listing["nftables"] if "set" in item]
    host = "/128" if found["type"] == "ipv6_addr" else "/32"   # nft shows a single address bare
    return {e + host if isinstance(e, str) else f"{e['prefix']['addr']}/{e['prefix']['len']}"
            for e in found.get("elem", [])}


def test_nft_body_loads_and_reloads_in_place_keeping_the_operators_chains(snapshot, empty_snapshot, tmp_path):
    nft = _tool("nft", "nftables")
    table = _unique("raasta_t_")
    first, second = tmp_path / "first.nft", tmp_path / "second.nft"
    first.write_bytes(render_nft(snapshot, table=table))
    second.write_bytes(render_nft(snapshot._replace(cidrs=["39.32.0.0/24", "2400:adc0:100::/48"]), table=table))
    try:
        _run(nft, "-f", str(first), may_refuse=True)
        assert _nft_members(nft, table, "whitelist_v4") == {"39.32.0.0/23", "111.68.96.7/32", "182.176.0.0/22"}
        assert _nft_members(nft, table, "whitelist_v6") == {"2400:adc0:100::/48", "2400:adc0:200::1/128"}
        # An operator's own chain (not hooked: it sees no traffic) matching the set must survive reloads.
        _run(nft, "add", "chain", "inet", table, "operator")
        _run(nft, "add", "rule", "inet", table, "operator", "ip", "saddr", "@whitelist_v4", "accept")
        _run(nft, "-f", str(second))
        assert _nft_members(nft, table, "whitelist_v4") == {"39.32.0.0/24"}
        assert _nft_members(nft, table, "whitelist_v6") == {"2400:adc0:100::/48"}
        assert "@whitelist_v4" in _run(nft, "list", "chain", "inet", table, "operator").stdout.decode()
        empty = tmp_path / "empty.nft"
        empty.write_bytes(render_nft(empty_snapshot, table=table))
        _run(nft, "-f", str(empty))
        assert _nft_members(nft, table, "whitelist_v4") == set()
    finally:
        subprocess.run([nft, "delete", "table", "inet", table], capture_output=True)


def _ipset_members(ipset: str, name: str) -> set[str]:
    saved = _run(ipset, "save", name).stdout.decode().splitlines()
    members = [line.split()[2] for line in saved if line.startswith("add ")]
    return {m if "/" in m else m + ("/128" if ":" in m else "/32") for m in members}


def _set_names(ipset: str) -> set[str]:
    return set(_run(ipset, "list", "-n").stdout.decode().split())


def test_ipset_body_replaces_a_referenced_live_set_by_swapping(snapshot, empty_snapshot):
    ipset = _tool("ipset", "ipset")
    base = _unique("raasta-t-")
    v4, v6, holder = f"{base}-4", f"{base}-6", f"{base}-ref"
    made = [holder, v4, v6, v4 + TEMPORARY_SUFFIX, v6 + TEMPORARY_SUFFIX]
    try:
        # The live IPv4 set exists from an earlier version and is in use: a list:set holds a reference
        # to it, as an iptables rule would, so it could not be destroyed and re-created, only swapped.
        _run(ipset, "create", v4, "hash:net", "family", "inet", "maxelem", str(1 << 24), may_refuse=True)
        _run(ipset, "add", v4, "10.99.0.0/16")
        _run(ipset, "create", holder, "list:set")
        _run(ipset, "add", holder, v4)
        _run(ipset, "restore", body=render_ipset(snapshot, v4=v4, v6=v6))
        assert _ipset_members(ipset, v4) == {"39.32.0.0/23", "111.68.96.7/32", "182.176.0.0/22"}
        assert _ipset_members(ipset, v6) == {"2400:adc0:100::/48", "2400:adc0:200::1/128"}  # created on first load
        assert "References: 1" in _run(ipset, "list", v4).stdout.decode()
        assert not {v4 + TEMPORARY_SUFFIX, v6 + TEMPORARY_SUFFIX} & _set_names(ipset)
        # The next version loads over the last one (its hashsize differs; -exist still matches).
        _run(ipset, "restore", body=render_ipset(empty_snapshot, v4=v4, v6=v6))
        assert _ipset_members(ipset, v4) == set() and _ipset_members(ipset, v6) == set()
    finally:
        for name in made:
            subprocess.run([ipset, "destroy", name], capture_output=True)
