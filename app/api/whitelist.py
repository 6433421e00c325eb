"""API v1: whitelist endpoints (see ../shared/contract.md)."""
from app.api import bp  # noqa: F401
