"""mikrotik: a RouterOS script (.rsc) for `/import`, filling the address list "raasta" in both families.

    # Raasta whitelist serial 12, published ...
    /ip firewall address-list
    remove [find list=raasta]
    add list=raasta address=39.32.0.0/23
    /ipv6 firewall address-list
    remove [find list=raasta]
    add list=raasta address=2400:adc0:100::/48

A line holding only a menu path (`/ip firewall address-list`) makes the commands after it run in
that menu, as RouterOS's own `/export` writes them. Each family's list is emptied first, so a
re-import replaces it instead of failing on duplicates (`add` refuses an address already in the
list). IPv4 and IPv6 address lists are separate menus and may share the name. '#' starts a comment.

RouterOS has no transaction: during the import the list is briefly partial. An operator who cannot
accept that imports into another list name and then switches the firewall rule to it.
"""
from collections.abc import Iterable, Iterator

from app.export.chunks import rewritten
from app.export.snapshot import Counts, Snapshot, VersionFacts, title


def render_mikrotik(snapshot: Snapshot, name: str = "raasta") -> bytes:
    v4_lines, v6_lines = snapshot.family_lines()
    return b"".join(mikrotik_chunks(snapshot.facts(), snapshot.counts(), [v4_lines], [v6_lines], name))


def mikrotik_chunks(facts: VersionFacts, counts: Counts, v4_line_chunks: Iterable[bytes],
                    v6_line_chunks: Iterable[bytes], name: str = "raasta") -> Iterator[bytes]:
    """The script from each family's txt lines."""
    yield f"# {title(facts, counts)}\n".encode()
    for menu, line_chunks in (("/ip firewall address-list", v4_line_chunks),
                              ("/ipv6 firewall address-list", v6_line_chunks)):
        yield f"{menu}\nremove [find list={name}]\n".encode()
        yield from rewritten(line_chunks, f"add list={name} address=".encode(), b"\n")
