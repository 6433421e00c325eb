"""Webhook notices to ISP organisations on every new whitelist version (built by the ISP work)."""


def queue_notices(version) -> None:
    """Queue one signed notice per ISP organisation with a webhook, once the transaction commits."""
