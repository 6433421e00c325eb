"""What every check receives and returns."""
from dataclasses import dataclass, field
from typing import Callable

from app.models import Application


@dataclass(frozen=True)
class Draft:
    """A finding before it is stored. `data` is for reviewers only (e.g. the other application's id)."""
    code: str
    severity: str
    message: str
    entry_id: int | None = None
    endpoint_id: int | None = None
    data: dict = field(default_factory=dict)


@dataclass
class CheckContext:
    application: Application
    register: object            # app.services.register.Register: conflicts(range)
    max_prefix_v4: int
    max_prefix_v6: int
    progress: Callable[[int, int], None] = lambda done, total: None
    # Warnings that belong on *other* applications (overlap with pending space is shown on both).
    cross_findings: list[tuple[int, Draft]] = field(default_factory=list)
