"""txt: the aggregated CIDRs, one a line, IPv4 then IPv6, numerically sorted, nothing else."""
from app.export.snapshot import Snapshot


def render_txt(snapshot: Snapshot) -> bytes:
    return "".join(f"{cidr}\n" for cidr in snapshot.cidrs).encode()
