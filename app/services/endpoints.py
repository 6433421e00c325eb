"""VPN endpoints as typed values: host (an RFC 1123 hostname or an address), protocol, port, peer."""
import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.addresses import EntryError, parse_entry
from app.choices import Protocol
from app.i18n import _

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class EndpointInput:
    host: str
    protocol: str
    port: int | None = None
    peer: str | None = None


ENDPOINT_FIELDS = ("host", "protocol", "port", "peer")


def host_problem(host: str) -> str | None:
    """Why `host` is neither a hostname nor a single address; None when it is one of them."""
    if not host:
        return _("Enter the endpoint's hostname or IP address.")
    if any(ch.isdigit() for ch in host.split(".")[-1]) or ":" in host:
        try:
            rng = parse_entry(host)
        except EntryError as exc:
            return str(exc)
        return None if rng.start == rng.end else _("%(host)s is a range; an endpoint is one address or hostname.",
                                                   host=repr(host))
    name = host.lower().rstrip(".")
    if len(name) > 253 or "." not in name or not all(_LABEL.match(label) for label in name.split(".")):
        return _("%(host)s is not a valid hostname; use letters, digits and hyphens, e.g. vpn.example.pk.",
                 host=repr(host))
    return None


def parse_endpoint(raw: dict) -> tuple[EndpointInput | None, dict[str, str]]:
    """An EndpointInput from loosely typed input (a form row or API object), or the problems per field."""
    problems = {name: _("Unknown field %(field)s; an endpoint takes %(fields)s.", field=repr(name),
                        fields=", ".join(ENDPOINT_FIELDS))
                for name in raw if name not in ENDPOINT_FIELDS}
    # A script's number or list where text belongs is named, not turned into text: 5 is not a hostname.
    problems |= {name: _("Send the %(field)s as text, not %(type)s.", field=name, type=type(raw[name]).__name__)
                 for name in ("host", "protocol", "peer")
                 if raw.get(name) is not None and not isinstance(raw[name], str)}
    host = (raw.get("host") or "").strip() if "host" not in problems else ""
    protocol = (raw.get("protocol") or "").strip().lower() if "protocol" not in problems else ""
    peer = ((raw.get("peer") or "").strip() or None) if "peer" not in problems else None
    port = raw.get("port")
    if "host" not in problems and (problem := host_problem(host)):
        problems["host"] = problem
    if "protocol" not in problems and protocol not in Protocol.ALL:
        problems["protocol"] = _("Protocol %(protocol)s is unknown; choose one of %(protocols)s.",
                                 protocol=repr(protocol), protocols=", ".join(Protocol.ALL))
    if port in (None, ""):
        port = None
    elif isinstance(port, bool) or not str(port).strip().isdigit() or not 1 <= int(port) <= 65535:
        problems["port"] = _("Port %(port)s is not a number from 1 to 65535.", port=repr(port))
    else:
        port = int(port)
    if peer and len(peer) > 255:
        problems["peer"] = _("Keep the remote peer under 255 characters.")
    if problems:
        return None, problems
    return EndpointInput(host=host, protocol=protocol, port=port, peer=peer), {}


def parse_endpoints(rows: Iterable[dict]) -> tuple[list[EndpointInput], dict[int, dict[str, str]]]:
    """Every row parsed (the form's rows and the API's list alike): the endpoints that parse, and the
    problems of each one that does not, by its position, so that every problem is reported at once."""
    endpoints, problems = [], {}
    for index, raw in enumerate(rows):
        endpoint, errors = parse_endpoint(raw)
        if errors:
            problems[index] = errors
        else:
            endpoints.append(endpoint)
    return endpoints, problems
