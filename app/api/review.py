"""API v1: review endpoints (see ../shared/contract.md)."""
from app.api import bp  # noqa: F401
