"""Every model, imported here so Alembic and the app see the whole schema."""
from app.models.applications import AddressEntry, Application, Document, Endpoint, Finding
from app.models.audit import AuditCheckpoint, AuditEvent
from app.models.document_blobs import DocumentBlob, DocumentChunk
from app.models.fees import FeeSchedule, Payment, PaymentCallback
from app.models.holidays import Holiday
from app.models.isp import IspConfirmation, IspOrganisation, WebhookDelivery
from app.models.notifications import Notification
from app.models.outbox import OutboxJob
from app.models.review import Batch, Override, ReviewNote, batch_applications
from app.models.site_pages import SitePage
from app.models.sms_codes import SmsCode
from app.models.sponsors import Invitation, Sponsor, SponsorDocument, SponsorImport
from app.models.subscriptions import ApprovedSubscription, Subscription
from app.models.users import ApiToken, ApplicantProfile, User
from app.models.whitelist import (
    ApprovedPrefix,
    SubscriberFile,
    WhitelistBlob,
    WhitelistBlock,
    WhitelistDirtyBlock,
    WhitelistDirtyFeed,
    WhitelistFile,
    WhitelistVersion,
)

__all__ = [
    "AddressEntry", "ApiToken", "ApplicantProfile", "Application", "ApprovedPrefix", "ApprovedSubscription",
    "AuditCheckpoint", "AuditEvent", "Batch", "Document", "DocumentBlob", "DocumentChunk", "Endpoint", "FeeSchedule",
    "Finding", "Holiday", "Invitation", "IspConfirmation", "IspOrganisation", "Notification", "OutboxJob", "Override",
    "Payment", "PaymentCallback", "ReviewNote", "SitePage", "SmsCode", "Sponsor", "SponsorDocument", "SponsorImport",
    "SubscriberFile", "Subscription", "User", "WebhookDelivery", "WhitelistBlob", "WhitelistBlock",
    "WhitelistDirtyBlock", "WhitelistDirtyFeed", "WhitelistFile", "WhitelistVersion", "batch_applications",
]
