"""Checks on VPN endpoints: host syntax, port, protocol, and addresses in special-purpose space."""
from app.addresses import EntryError, classify, parse_entry
from app.addresses import codes as address_codes
from app.choices import FindingCode, Protocol, Severity
from app.services.endpoints import host_problem
from app.services.validation.checks.base import CheckContext, Draft

_SPECIAL = (address_codes.SPECIAL_PURPOSE, address_codes.NOT_GLOBAL_UNICAST)


def check_endpoints(ctx: CheckContext):
    for endpoint in ctx.application.endpoints:
        problem = host_problem(endpoint.host)
        if problem:
            yield Draft(FindingCode.ENDPOINT_HOST, Severity.ERROR, problem, endpoint_id=endpoint.id)
        else:
            yield from _special_space(endpoint)
        if endpoint.port is not None and not 1 <= endpoint.port <= 65535:
            yield Draft(FindingCode.ENDPOINT_PORT, Severity.ERROR,
                        f"Port {endpoint.port} of {endpoint.host} is not from 1 to 65535.", endpoint_id=endpoint.id)
        if endpoint.protocol not in Protocol.ALL:
            yield Draft(FindingCode.ENDPOINT_PROTOCOL, Severity.ERROR,
                        f"Protocol {endpoint.protocol!r} of {endpoint.host} is unknown.", endpoint_id=endpoint.id)


def _special_space(endpoint):
    try:
        address = parse_entry(endpoint.host)
    except EntryError:
        return  # a hostname: its addresses are the ISP's concern at connection time
    for found in classify(address, geo=False):  # only special-purpose space matters for an endpoint
        if found.code in _SPECIAL:
            yield Draft(FindingCode.ENDPOINT_SPECIAL, Severity.ERROR,
                        f"Endpoint {endpoint.host}: {found.message}", endpoint_id=endpoint.id,
                        reviewer_message=f"Endpoint {endpoint.host}: {found.reviewer_message or found.message}")
