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
from app.export.snapshot import Snapshot


def render_mikrotik(snapshot: Snapshot, name: str = "raasta") -> bytes:
    v4, v6 = snapshot.families()
    parts = [f"# {snapshot.title()}\n"]
    for menu, cidrs in (("/ip firewall address-list", v4), ("/ipv6 firewall address-list", v6)):
        add = f"add list={name} address="
        parts += [f"{menu}\n", f"remove [find list={name}]\n",
                  add + f"\n{add}".join(cidrs) + "\n" if cidrs else ""]
    return "".join(parts).encode()
