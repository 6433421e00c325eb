"""API v1: isp endpoints (see ../shared/contract.md)."""
from app.api import bp  # noqa: F401
