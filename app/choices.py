"""Named constants for roles, states and kinds. No bare state strings anywhere else.

The LABELS are the words a person reads, marked for translation (lazy: each is read in the language of the page
that shows it); the codes beside them never change."""
from app.i18n import Phrase, _l


class Role:
    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    ISP = "isp"
    SPONSOR = "sponsor"  # acts for a sponsor organisation (an association, employer ...) that invites its members
    ALL = (APPLICANT, REVIEWER, ADMIN, ISP, SPONSOR)
    # As pages name them; "system" is the audit trail's actor for what no person did (a job, a command).
    LABELS = {APPLICANT: _l("applicant"), REVIEWER: _l("reviewer"), ADMIN: _l("admin"), ISP: _l("isp"),
              SPONSOR: _l("sponsor"), "system": _l("system")}
    STAFF = (REVIEWER, ADMIN)
    WHITELIST_READERS = (ISP, REVIEWER, ADMIN)


class ApplicantKind:
    FIRM = "firm"
    FREELANCER = "freelancer"
    ALL = (FIRM, FREELANCER)


class State:
    DRAFT = "draft"
    VALIDATING = "validating"
    VALIDATION_FAILED = "validation_failed"
    READY = "ready"
    FLAGGED = "flagged"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    # Approved, then disputed by the ISP: out of the whitelist until a reviewer reinstates or revokes it.
    SUSPENDED = "suspended"

    ALL = (DRAFT, VALIDATING, VALIDATION_FAILED, READY, FLAGGED, NEEDS_INFO,
           APPROVED, SUSPENDED, REJECTED, REVOKED, EXPIRED, WITHDRAWN)
    # Open: still moving through the process; its space counts as pending.
    OPEN = (DRAFT, VALIDATING, VALIDATION_FAILED, READY, FLAGGED, NEEDS_INFO)
    PENDING = (VALIDATING, VALIDATION_FAILED, READY, FLAGGED, NEEDS_INFO)
    TERMINAL = (REJECTED, REVOKED, EXPIRED, WITHDRAWN)
    REVIEWABLE = (READY, FLAGGED)
    # An approval, standing or suspended: either is revoked by a reviewer or expires when its time is up.
    APPROVALS = (APPROVED, SUSPENDED)
    # What the applicant edits in place; a reviewable one not in a batch goes back to draft first.
    EDITABLE = (DRAFT, NEEDS_INFO)
    REOPENABLE = REVIEWABLE
    # The one table of words a person reads for each state (the API and the reviewers' filters keep the codes).
    LABELS = {
        DRAFT: _l("Draft"),
        VALIDATING: _l("Waiting for checks"),
        VALIDATION_FAILED: _l("Checks could not run"),
        READY: _l("Waiting for review"),
        FLAGGED: _l("Problems found"),
        NEEDS_INFO: _l("More information needed"),
        APPROVED: _l("Approved"),
        SUSPENDED: _l("Suspended after a dispute"),  # lower-cased in messages, so no "ISP" here
        REJECTED: _l("Rejected"),
        REVOKED: _l("Approval revoked"),
        EXPIRED: _l("Expired"),
        WITHDRAWN: _l("Withdrawn"),
    }


# The one table of allowed transitions: services.transitions checks every state change against it.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.VALIDATING, State.WITHDRAWN),
    State.VALIDATING: (State.READY, State.FLAGGED, State.VALIDATION_FAILED, State.WITHDRAWN),
    State.VALIDATION_FAILED: (State.VALIDATING, State.WITHDRAWN),
    # ready -> flagged: the applicant's ISP disputed the subscriber id after validation (isp_confirmations.answer).
    # ready/flagged -> draft: the applicant corrects an application not yet in a batch (applications.reopen);
    # it is validated again when submitted.
    State.READY: (State.APPROVED, State.REJECTED, State.NEEDS_INFO, State.VALIDATING, State.WITHDRAWN, State.FLAGGED,
                  State.DRAFT),
    State.FLAGGED: (State.APPROVED, State.REJECTED, State.NEEDS_INFO, State.VALIDATING, State.WITHDRAWN, State.DRAFT),
    State.NEEDS_INFO: (State.VALIDATING, State.WITHDRAWN),
    # approved -> suspended: the ISP disputed the subscriber id after approval (isp_confirmations.answer);
    # suspended -> approved: a reviewer reinstates it; -> revoked or expired as an approval would be.
    State.APPROVED: (State.REVOKED, State.EXPIRED, State.SUSPENDED),
    State.SUSPENDED: (State.APPROVED, State.REVOKED, State.EXPIRED),
    State.REJECTED: (),
    State.REVOKED: (),
    State.EXPIRED: (),
    State.WITHDRAWN: (),
}


class Category:
    COMPANY_VPN = "company_vpn"
    FREELANCER_VPN = "freelancer_vpn"
    CALL_CENTER = "call_center"
    VIDEO_CONFERENCING = "video_conferencing"
    ALL = (COMPANY_VPN, FREELANCER_VPN, CALL_CENTER, VIDEO_CONFERENCING)
    LABELS = {
        COMPANY_VPN: _l("Company VPN"),
        FREELANCER_VPN: _l("Freelancer VPN"),
        CALL_CENTER: _l("Call centre"),
        VIDEO_CONFERENCING: _l("Video conferencing"),
    }
    # What a new application starts with, from the applicant's profile.
    DEFAULT_FOR_KIND = {ApplicantKind.FIRM: COMPANY_VPN, ApplicantKind.FREELANCER: FREELANCER_VPN}


class DocumentKind:
    NTN_CERTIFICATE = "ntn_certificate"
    CNIC_FRONT = "cnic_front"
    CNIC_BACK = "cnic_back"
    INCORPORATION_LETTER = "incorporation_letter"
    CLIENT_CONTRACT = "client_contract"
    EMPLOYER_LETTER = "employer_letter"
    OTHER = "other"
    ALL = (NTN_CERTIFICATE, CNIC_FRONT, CNIC_BACK, INCORPORATION_LETTER,
           CLIENT_CONTRACT, EMPLOYER_LETTER, OTHER)
    LABELS = {
        NTN_CERTIFICATE: _l("NTN certificate"),
        CNIC_FRONT: _l("CNIC (front)"),
        CNIC_BACK: _l("CNIC (back)"),
        INCORPORATION_LETTER: _l("Incorporation letter"),
        CLIENT_CONTRACT: _l("Client contract"),
        EMPLOYER_LETTER: _l("Employer letter"),
        OTHER: _l("Other"),
    }
    # Papers about the applicant rather than one application: kept on file and attached to each new one.
    IDENTITY = (NTN_CERTIFICATE, CNIC_FRONT, CNIC_BACK)


class SponsorKind:
    """Who vouches for many people at once: the "letter of authentication" a member would otherwise bring."""
    ASSOCIATION = "association"
    EMPLOYER = "employer"
    COWORKING = "coworking"
    PLATFORM = "platform"
    ALL = (ASSOCIATION, EMPLOYER, COWORKING, PLATFORM)
    LABELS = {ASSOCIATION: _l("Association"), EMPLOYER: _l("Employer"), COWORKING: _l("Co-working space"),
              PLATFORM: _l("Freelancing platform")}


class SponsorState:
    """A sponsor is approved once by a reviewer; until then (or once suspended) it invites nobody, and its members'
    applications need their own employer letter."""
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    ALL = (PENDING, APPROVED, SUSPENDED)
    LABELS = {PENDING: _l("Waiting for approval"), APPROVED: _l("Approved"), SUSPENDED: _l("Suspended")}
    TRANSITIONS = {PENDING: (APPROVED,), APPROVED: (SUSPENDED,), SUSPENDED: (APPROVED,)}


class SponsorPaper:
    """What a sponsor shows the reviewer before its approval: its registration, and its signatory's CNIC."""
    REGISTRATION = "registration"
    SIGNATORY_CNIC = "signatory_cnic"
    ALL = (REGISTRATION, SIGNATORY_CNIC)
    LABELS = {REGISTRATION: _l("Registration certificate"), SIGNATORY_CNIC: _l("Signatory's CNIC (copy)")}


class InvitationState:
    """A sponsor's proposal in a member's name, until the member consents (an application is made and submitted as
    theirs), declines, or withdraws consent afterwards."""
    INVITED = "invited"
    ACCEPTED = "accepted"      # the member consented: their application exists
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"    # consent withdrawn after accepting: the sponsor sees nothing more
    ALL = (INVITED, ACCEPTED, DECLINED, WITHDRAWN)
    LABELS = {INVITED: _l("Invited"), ACCEPTED: _l("Accepted"), DECLINED: _l("Declined"),
              WITHDRAWN: _l("Consent withdrawn")}
    TRANSITIONS = {INVITED: (ACCEPTED, DECLINED), ACCEPTED: (WITHDRAWN,), DECLINED: (), WITHDRAWN: ()}


class ImportState:
    """A sponsor's uploaded member file: kept as a draft while it has problems, imported once clean."""
    DRAFT = "draft"
    IMPORTED = "imported"
    ALL = (DRAFT, IMPORTED)


class Protocol:
    ALL = ("wireguard", "openvpn", "ipsec", "l2tp", "sstp", "other")
    LABELS = {"wireguard": "WireGuard", "openvpn": "OpenVPN", "ipsec": "IPsec", "l2tp": "L2TP", "sstp": "SSTP",
              "other": _l("Other")}


class Severity:
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    ALL = (ERROR, WARNING, INFO)
    LABELS = {ERROR: _l("error"), WARNING: _l("warning"), INFO: _l("info")}  # as the findings' badges show them


# Entries wider than these prefixes are "too broad": a small firm's office or VPN concentrator never needs
# more, and a reviewer can override. MAX_PREFIX_V4 / MAX_PREFIX_V6 in the environment change them.
DEFAULT_MAX_PREFIX_V4 = 22
DEFAULT_MAX_PREFIX_V6 = 32


class BatchState:
    PENDING_APPROVAL = "pending_approval"
    PUBLISHED = "published"
    CANCELLED = "cancelled"  # the maker (or another reviewer) withdrew it before approval
    ALL = (PENDING_APPROVAL, PUBLISHED, CANCELLED)


class WhitelistFormat:
    TXT, CSV, JSON, IPSET, NFT, CISCO, MIKROTIK = "txt", "csv", "json", "ipset", "nft", "cisco", "mikrotik"
    ALL = (TXT, CSV, JSON, IPSET, NFT, CISCO, MIKROTIK)
    MEDIA_TYPES = {
        TXT: "text/plain; charset=utf-8",
        CSV: "text/csv; charset=utf-8",
        JSON: "application/json",
        IPSET: "text/plain; charset=utf-8",
        NFT: "text/plain; charset=utf-8",
        CISCO: "text/plain; charset=utf-8",
        MIKROTIK: "text/plain; charset=utf-8",
    }


class SubscriberFormat:
    """The formats of an organisation's subscriber feed (publication.feeds): rows for scripts, and a FreeRADIUS
    `users` file for a BRAS."""
    CSV, JSON, RADIUS = "csv", "json", "radius"
    ALL = (CSV, JSON, RADIUS)
    MEDIA_TYPES = {CSV: "text/csv; charset=utf-8", JSON: "application/json", RADIUS: "text/plain; charset=utf-8"}


class OrganisationKind:
    """What an ISP organisation serves: fixed lines and broadband (address ranges, account ids) or mobile numbers."""
    FIXED = "fixed"
    MOBILE = "mobile"
    ALL = (FIXED, MOBILE)
    LABELS = {FIXED: _l("Fixed-line or broadband ISP"), MOBILE: _l("Mobile operator")}


# The mobile operators on Raasta from the start (migration 0011); admins add others under Admin → ISPs.
MOBILE_OPERATORS = ("Jazz", "Zong", "Telenor", "Ufone")


class SubscriptionKind:
    """A connection registered instead of an address: the operator lets VPN traffic through for the subscriber,
    whatever address the connection has today."""
    MOBILE = "mobile"  # a Pakistani mobile number, stored as E.164 (+923001234567), proven by an SMS code
    FIXED = "fixed"    # the account or subscriber id a fixed-line or broadband ISP gave
    ALL = (MOBILE, FIXED)
    LABELS = {MOBILE: _l("Mobile number"), FIXED: _l("Broadband or fixed-line account")}
    # The kind of organisation that serves each kind of subscription.
    SERVED_BY = {MOBILE: OrganisationKind.MOBILE, FIXED: OrganisationKind.FIXED}


class Registration:
    """What an application registers: address ranges (entries) or connections (subscriptions); the review
    queue's ?registration= filter."""
    ADDRESSES = "addresses"
    SUBSCRIPTIONS = "subscriptions"
    ALL = (ADDRESSES, SUBSCRIPTIONS)


class SubscriberFormat:
    """An operator's feed of the approved subscriptions it serves, one per whitelist version."""
    CSV, JSON, RADIUS = "csv", "json", "radius"
    ALL = (CSV, JSON, RADIUS)
    MEDIA_TYPES = {
        CSV: "text/csv; charset=utf-8",
        JSON: "application/json",
        RADIUS: "text/plain; charset=utf-8",  # a FreeRADIUS `users` file
    }


class ConfirmationState:
    """An ISP's answer to "is this address really your subscriber's?"."""
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    ALL = (PENDING, CONFIRMED, DISPUTED)
    ANSWERS = {"confirm": CONFIRMED, "dispute": DISPUTED}  # what the ISP sends -> the state it sets


class DeliveryState:
    """A webhook notice to an ISP: queued, retried with backoff, then delivered or given up."""
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    ALL = (PENDING, DELIVERED, FAILED)


# Reasons a reviewer can pick when rejecting; they may also write their own.
# Stored and sent in English (Phrase.english); the reviewer's list shows them in the page's language.
REJECTION_REASONS = (
    Phrase("The addresses are not assigned to you: your ISP disputed the subscriber id."),
    Phrase("The documents do not match the applicant named in the profile."),
    Phrase("The address space belongs to another approved applicant."),
    Phrase("The purpose does not qualify for whitelisting."),
    Phrase("The application is a duplicate of another one."),
)


# What each category needs, shown before the applicant starts. Validation warns when one is missing.
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    Category.COMPANY_VPN: (DocumentKind.NTN_CERTIFICATE,),
    Category.FREELANCER_VPN: (DocumentKind.CNIC_FRONT, DocumentKind.CNIC_BACK),
    Category.CALL_CENTER: (DocumentKind.NTN_CERTIFICATE, DocumentKind.CLIENT_CONTRACT),
    Category.VIDEO_CONFERENCING: (DocumentKind.NTN_CERTIFICATE,),
}

# Seed list for the ISP picker; applicants may type another.
PAKISTAN_ISPS = (
    "PTCL", "Nayatel", "StormFiber", "Transworld", "Wateen", "Jazz", "Zong", "Ufone", "Telenor",
    "Cybernet", "Multinet", "Fiberlink", "Qubee", "Wi-tribe", "Connect Communications",
)


class FindingCode:
    """Codes the validation checks emit beyond the address engine's own (app.addresses.codes)."""
    OVERLAP_APPROVED = "overlap.approved_other"     # another applicant's approved space: error
    OVERLAP_OWN = "overlap.approved_own"            # the applicant's own approved space: info
    OVERLAP_PENDING = "overlap.pending"             # another pending application: warning on both
    DUPLICATE_ENTRY = "entry.duplicate"             # overlaps another entry of the same application: info
    OTHER_ISP = "entry.other_isp"                   # announced by another ISP than the profile's: warning
    ENDPOINT_HOST = "endpoint.host"
    ENDPOINT_PORT = "endpoint.port"
    ENDPOINT_PROTOCOL = "endpoint.protocol"
    ENDPOINT_SPECIAL = "endpoint.special_purpose"
    DOCUMENT_MISSING = "document.missing"
    DOCUMENT_REUSED = "document.reused"             # same file uploaded by another applicant: warning
    IDENTITY_SHARED = "identity.shared"             # NTN/CNIC used by another account: warning
    ISP_CONFIRMED = "isp.confirmed"                 # the ISP confirmed the subscriber: info
    ISP_DISPUTED = "isp.disputed"                   # the ISP disputed the subscriber: error
    ISP_UNCONFIRMED = "isp.unconfirmed"             # an ISP not on Raasta, so nobody confirms: info
    ISP_PENDING = "isp.pending"                     # the ISP on Raasta has not answered yet: warning
    ISP_PREFIX = "isp."                             # every ISP finding: an answer replaces the earlier one
    # The same operator and identifier on another application (contract revision 3):
    SUBSCRIPTION_APPROVED_OTHER = "subscription.approved_other"  # another applicant's approved one: error
    SUBSCRIPTION_PENDING = "subscription.pending"                # another pending application: warning
    SUBSCRIPTION_APPROVED_OWN = "subscription.approved_own"      # the applicant's own approved one: info
    SUBSCRIPTION_MANY = "subscription.many_per_holder"           # one CNIC/NTN holding unusually many: warning


# Findings about someone else: shown to reviewers only, so that an applicant cannot probe whether a number is
# registered, a range applied for or a file used by another (none of them blocks the application).
REVIEWER_ONLY_FINDINGS = frozenset({FindingCode.OVERLAP_PENDING, FindingCode.DOCUMENT_REUSED,
                                    FindingCode.IDENTITY_SHARED, FindingCode.SUBSCRIPTION_PENDING,
                                    FindingCode.SUBSCRIPTION_MANY})


class PaymentState:
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"      # its reference ran out unpaid (or was renewed): a new reference is needed
    CANCELLED = "cancelled"  # the application no longer owes it (changed below the threshold before paying)
    ALL = (PENDING, PAID, EXPIRED, CANCELLED)
    UNPAID = (PENDING, EXPIRED)
    LABELS = {PENDING: _l("Awaiting payment"), PAID: _l("Paid"), EXPIRED: _l("Reference expired"),
              CANCELLED: _l("Cancelled")}


class PaymentChannel:
    """How a payment was recorded: the aggregator's callback, an admin with the bank's reference, or the embedded
    bank command (`flask payments settle`)."""
    CALLBACK = "callback"
    ADMIN = "admin"
    BANK_COMMAND = "bank_command"
    ALL = (CALLBACK, ADMIN, BANK_COMMAND)
    LABELS = {CALLBACK: _l("payment aggregator"), ADMIN: _l("administrator, with the bank's reference"),
              BANK_COMMAND: _l("bank command")}


# The regulator's rule: 5 or more addresses, counting those already approved (a schedule row may say otherwise).
DEFAULT_FEE_THRESHOLD = 5
