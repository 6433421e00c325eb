"""cisco: IOS / IOS-XE prefix lists, RAASTA-V4 and RAASTA-V6, to paste or `copy` into running-config.

    ! Raasta whitelist serial 12, published ...
    no ip prefix-list RAASTA-V4
    ip prefix-list RAASTA-V4 description Raasta whitelist serial 12
    ip prefix-list RAASTA-V4 seq 5 permit 39.32.0.0/23
    ip prefix-list RAASTA-V4 seq 10 permit ...
    no ipv6 prefix-list RAASTA-V6
    ...

Each list is removed first so a reload replaces it rather than merging into it (a `seq` that exists
is overwritten, but one the new version no longer has would stay). Sequence numbers go 5, 10, 15,
leaving room for an operator's own lines, as IOS numbers them itself. The prefixes are exact matches
(no ge/le), as approved. A family without prefixes gets `deny 0.0.0.0/0 le 32` (`::/0 le 128`): IOS
treats a route-map's reference to a list that does not exist as matching everything, so an empty
whitelist must still exist and match nothing. '!' starts a comment in IOS configuration.

IOS applies the lines one by one: between the `no` line and the last `permit` a route-map sees a
partial list. Operators who need an atomic change load the file with `configure replace`, or into a
list of another name and then point the route-map at it.
"""
from itertools import count

from app.export.snapshot import Snapshot


def render_cisco(snapshot: Snapshot, v4: str = "RAASTA-V4", v6: str = "RAASTA-V6") -> bytes:
    v4_cidrs, v6_cidrs = snapshot.families()
    parts = [f"! {snapshot.title()}\n"]
    parts += _prefix_list("ip", v4, v4_cidrs, "0.0.0.0/0 le 32", snapshot.serial)
    parts += _prefix_list("ipv6", v6, v6_cidrs, "::/0 le 128", snapshot.serial)
    parts.append("end\n")
    return "".join(parts).encode()


def _prefix_list(family: str, name: str, cidrs: list[str], everything: str, serial: int) -> list[str]:
    command = f"{family} prefix-list {name}"
    lines = [f"no {command}\n", f"{command} description Raasta whitelist serial {serial}\n"]
    if not cidrs:
        return lines + [f"{command} seq 5 deny {everything}\n"]
    return lines + [f"{command} seq {seq} permit {cidr}\n" for seq, cidr in zip(count(5, 5), cidrs)]
