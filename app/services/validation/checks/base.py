"""What every check receives and returns."""
from dataclasses import dataclass, field
from typing import Callable

from app.i18n import Phrase
from app.models import Application, Finding
from app.services.validation.checks.lookups import Lookups


@dataclass(frozen=True)
class Draft:
    """A finding before it is stored. `message` is written for the applicant; `reviewer_message`, when the
    reviewer needs other words ("the ISP in the applicant's profile", not "in your profile"). `data` is
    for reviewers only (e.g. the other application's id).

    Each message is given as an app.i18n.Phrase, read later in the reader's language; after construction
    `message` and `reviewer_message` hold the English (as stored and as the API's default) and `phrases`
    the Phrases' JSON. A plain str is still accepted (English only: shown as it is in every language)."""
    code: str
    severity: str
    message: Phrase | str
    entry_id: int | None = None
    endpoint_id: int | None = None
    subscription_id: int | None = None
    data: dict = field(default_factory=dict)
    reviewer_message: Phrase | str | None = None
    phrases: dict | None = field(default=None, init=False, compare=False)

    def __post_init__(self):
        phrases = {}
        for name in ("message", "reviewer_message"):
            value = getattr(self, name)
            if isinstance(value, Phrase):
                phrases[name] = value.to_json()
                object.__setattr__(self, name, value.english)
            elif value is not None:
                object.__setattr__(self, name, str(value))
        object.__setattr__(self, "phrases", phrases or None)

    def to_finding(self) -> Finding:
        return Finding(**self.columns())

    def columns(self) -> dict:
        """The finding's row, but for its application."""
        return {"code": self.code, "severity": self.severity, "message": self.message, "entry_id": self.entry_id,
                "endpoint_id": self.endpoint_id, "subscription_id": self.subscription_id, "data": self.data,
                "reviewer_message": self.reviewer_message, "phrases": self.phrases}


@dataclass
class CheckContext:
    application: Application
    register: object            # app.services.national_register.Register: conflicts(range)
    max_prefix_v4: int
    max_prefix_v6: int
    progress: Callable[[int, int], None] = lambda done, total: None
    geo: bool = True            # country and ASN lookups (False while the applicant edits a draft)
    # Warnings that belong on *other* applications (overlap with pending space is shown on both).
    cross_findings: list[tuple[int, Draft]] = field(default_factory=list)
    # Rows the checks read about others, fetched once per sub-batch (validation.batch); else on first use.
    batch_lookups: "Lookups | None" = None

    @property
    def lookups(self) -> "Lookups":
        if self.batch_lookups is None:
            self.batch_lookups = Lookups.load([self.application])
        return self.batch_lookups
