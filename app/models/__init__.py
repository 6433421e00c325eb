"""Every model, imported here so Alembic and the app see the whole schema."""
from app.models.applications import AddressEntry, Application, Document, Endpoint, Finding
from app.models.audit import AuditEvent
from app.models.notifications import Notification
from app.models.review import Batch, Override, batch_applications
from app.models.users import ApiToken, ApplicantProfile, User
from app.models.whitelist import WhitelistVersion

__all__ = [
    "AddressEntry", "ApiToken", "ApplicantProfile", "Application", "AuditEvent", "Batch",
    "Document", "Endpoint", "Finding", "Notification", "Override", "User", "WhitelistVersion", "batch_applications",
]
