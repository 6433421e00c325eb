"""Checks on VPN endpoints: host syntax, port, protocol, and addresses in special-purpose space."""
from app.addresses import EntryError, parse_entry
from app.addresses.special import (
    reaches_outside_global_unicast,
    special_blocks_touching,
)
from app.choices import FindingCode, Protocol, Severity
from app.i18n import Phrase
from app.services.endpoints import host_problem
from app.services.validation.checks.base import CheckContext, Draft


def check_endpoints(ctx: CheckContext):
    for endpoint in ctx.application.endpoints:
        problem = host_problem(endpoint.host)
        if problem:
            yield Draft(FindingCode.ENDPOINT_HOST, Severity.ERROR, problem, endpoint_id=endpoint.id)
        else:
            yield from _special_space(endpoint)
        if endpoint.port is not None and not 1 <= endpoint.port <= 65535:
            yield Draft(FindingCode.ENDPOINT_PORT, Severity.ERROR,
                        Phrase("Port %(port)s of %(host)s is not from 1 to 65535.", port=endpoint.port,
                               host=endpoint.host), endpoint_id=endpoint.id)
        if endpoint.protocol not in Protocol.ALL:
            yield Draft(FindingCode.ENDPOINT_PROTOCOL, Severity.ERROR,
                        Phrase("Protocol %(protocol)s of %(host)s is unknown.", protocol=repr(endpoint.protocol),
                               host=endpoint.host), endpoint_id=endpoint.id)


def _special_space(endpoint):
    """The address engine's special-purpose findings (app.addresses.findings: check_special_purpose, then
    check_global_unicast) for an endpoint's address, each as one sentence that names the endpoint. Only
    special-purpose space matters for an endpoint; as a single address it lies in each block it touches
    (host_problem refused ranges)."""
    try:
        address = parse_entry(endpoint.host)
    except EntryError:
        return  # a hostname: its addresses are the ISP's concern at connection time
    blocks = special_blocks_touching(address)
    for block in blocks:
        where = {"host": endpoint.host, "range": str(address), "cidr": block.cidr, "name": block.name,
                 "rfc": block.rfc}
        yield Draft(FindingCode.ENDPOINT_SPECIAL, Severity.ERROR,
                    Phrase("Endpoint %(host)s: '%(range)s' lies in %(cidr)s (%(name)s, %(rfc)s), a special-purpose "
                           "block that no organisation can be whitelisted for; remove that part.", **where),
                    endpoint_id=endpoint.id,
                    reviewer_message=Phrase("Endpoint %(host)s: '%(range)s' lies in %(cidr)s (%(name)s, %(rfc)s), "
                                            "a special-purpose block that no organisation can be whitelisted for.",
                                            **where))
    if not blocks and reaches_outside_global_unicast(address):
        where = {"host": endpoint.host, "range": str(address)}
        yield Draft(FindingCode.ENDPOINT_SPECIAL, Severity.ERROR,
                    Phrase("Endpoint %(host)s: '%(range)s' reaches outside 2000::/3, the only IPv6 space allocated "
                           "for public addresses; type the public IPv6 prefix your ISP gave you.", **where),
                    endpoint_id=endpoint.id,
                    reviewer_message=Phrase("Endpoint %(host)s: '%(range)s' reaches outside 2000::/3, the only IPv6 "
                                            "space allocated for public addresses; it cannot be whitelisted.",
                                            **where))
