"""Validation of a submitted application: every check's findings, then ready or flagged.

Runs in the worker (app.jobs.validation). Idempotent: it replaces the application's findings,
so running it twice gives the same result.
"""
from flask import current_app

from app.addresses import AddressRange, classify
from app.choices import Severity, State
from app.extensions import db
from app.models import Application, Finding
from app.services.transitions import move


def _entry_findings(application: Application) -> list[Finding]:
    findings = []
    for entry in application.entries:
        rng = AddressRange(entry.version, entry.start, entry.end)
        for found in classify(rng, max_prefix_v4=current_app.config["MAX_PREFIX_V4"],
                              max_prefix_v6=current_app.config["MAX_PREFIX_V6"]):
            findings.append(Finding(entry_id=entry.id, code=found.code, severity=found.severity,
                                    message=found.message))
    return findings


def validate_application(application: Application) -> str:
    """Replace the findings and move to ready or flagged; returns the new state. The caller commits."""
    if application.state != State.VALIDATING:
        return application.state  # withdrawn meanwhile, or already validated by an earlier run
    findings = _entry_findings(application)
    application.findings = findings
    errors = sum(1 for f in findings if f.severity == Severity.ERROR)
    new_state = State.FLAGGED if errors else State.READY
    move(application, new_state, actor=None, errors=errors,
         warnings=sum(1 for f in findings if f.severity == Severity.WARNING), findings=len(findings))
    return new_state
