"""For bench_validation.py: what a run left behind, against what was seeded and against the code before.

check_results() counts states, overlap findings, notifications, mail and audit events and verifies the
chain; findings_summary() and compare_findings() hold two runs of the same data side by side: counts
per finding code and state, and every field of the findings of 1 application in SAMPLE_EVERY.
"""
import collections
import json

from sqlalchemy import func, select

from app.choices import FindingCode, State
from app.extensions import db, queues
from app.models import Application, AuditEvent, Finding, Notification
from app.queues import VALIDATION
from validation_data import SeedData

SAMPLE_EVERY = 100         # full findings compared for 1 application in this many


def check_results(data: SeedData, validated: list[int], mail: dict) -> dict:
    """What the runs left behind, against what was seeded."""
    from rq.registry import FailedJobRegistry

    from app import audit

    db.session.rollback()
    ids = set(validated)
    states = dict(db.session.execute(select(Application.state, func.count())
                                     .where(Application.id.between(min(ids), max(ids)))
                                     .group_by(Application.state)).all())

    def having(*codes):
        return set(db.session.scalars(select(Finding.application_id).where(Finding.code.in_(codes)).distinct())) & ids

    approved_codes = (FindingCode.OVERLAP_APPROVED, FindingCode.OVERLAP_OWN)
    overlap = having(*approved_codes)
    own = having(FindingCode.OVERLAP_OWN)
    pending = having(FindingCode.OVERLAP_PENDING)
    events = dict(db.session.execute(select(AuditEvent.action, func.count()).group_by(AuditEvent.action)).all())
    chain = audit.verify_chain()
    return {
        "states": states,
        "overlap_expected": len(data.overlap_approved & ids), "overlap_found": len(overlap),
        "overlap_missing": len((data.overlap_approved & ids) - overlap),
        "overlap_unexpected": len(overlap - data.overlap_approved),
        "own_expected": len(data.overlap_own & ids), "own_found_of_expected": len(own & data.overlap_own),
        "pending_expected": len(data.overlap_pending & ids), "pending_found_of_expected": len(pending & data.overlap_pending),
        "pending_found": len(pending),
        "notifications": db.session.scalar(select(func.count()).select_from(Notification)),
        "eml_files": mail["eml_files"],
        "state_events": events.get("application.ready", 0) + events.get("application.flagged", 0),
        "requeued_events": events.get("validation.requeued", 0),
        "chain": (chain.intact, chain.events, chain.problem),
        "failed_jobs": sum(FailedJobRegistry(queue=queues.queue(name)).count for name in (VALIDATION, "mail")),
    }


def verdict_problems(check: dict, expected: int) -> list[str]:
    problems = []
    if set(check["states"]) - {State.READY, State.FLAGGED}:
        problems.append(f"states left: {check['states']}")
    if check["overlap_missing"] or check["overlap_unexpected"]:
        problems.append(f"overlap findings: {check['overlap_missing']} missing, {check['overlap_unexpected']} unexpected")
    if check["own_found_of_expected"] != check["own_expected"]:
        problems.append("own-space overlaps not all reported as overlap.approved_own")
    if check["pending_found_of_expected"] != check["pending_expected"]:
        problems.append("pending overlaps missing")
    if not (check["notifications"] == check["eml_files"] == check["state_events"] == expected):
        problems.append(f"{expected:,} validated but {check['notifications']:,} notifications, "
                        f"{check['eml_files']:,} .eml, {check['state_events']:,} ready/flagged events")
    if not check["chain"][0]:
        problems.append(f"audit chain broken: {check['chain']}")
    if check["failed_jobs"]:
        problems.append(f"{check['failed_jobs']} failed jobs")
    return problems


def findings_summary(validated: list[int]) -> dict:
    """Counts per code and state, and every field of the findings of 1 application in SAMPLE_EVERY."""
    ids = sorted(validated)
    in_run = Finding.application_id.between(ids[0], ids[-1])
    counts = dict(db.session.execute(select(Finding.code, func.count()).where(in_run).group_by(Finding.code)).all())
    states = dict(db.session.execute(select(Application.state, func.count()).where(
        Application.id.between(ids[0], ids[-1])).group_by(Application.state)).all())
    sample_ids = ids[::SAMPLE_EVERY]
    sample = collections.defaultdict(list)
    for row in db.session.execute(select(Finding.application_id, Finding.code, Finding.severity, Finding.message,
                                         Finding.entry_id, Finding.endpoint_id, Finding.data)
                                  .where(Finding.application_id.in_(sample_ids))):
        sample[str(row.application_id)].append([row.code, row.severity, row.message, row.entry_id, row.endpoint_id,
                                                json.dumps(row.data, sort_keys=True)])
    return {"counts": counts, "states": states,
            "sample": {key: sorted(rows) for key, rows in sample.items()}, "sample_size": len(sample_ids)}


def compare_findings(before: dict, after: dict) -> dict:
    codes = sorted(set(before["counts"]) | set(after["counts"]))
    differing = {code: (before["counts"].get(code, 0), after["counts"].get(code, 0)) for code in codes
                 if before["counts"].get(code, 0) != after["counts"].get(code, 0)}
    keys = set(before["sample"]) | set(after["sample"])
    sample_diff = sorted(int(k) for k in keys if before["sample"].get(k) != after["sample"].get(k))
    return {"codes": len(codes), "findings": sum(after["counts"].values()), "counts_differ": differing,
            "states_same": before["states"] == after["states"], "sample_size": after["sample_size"],
            "sample_findings": sum(len(v) for v in after["sample"].values()), "sample_differ": sample_diff[:20],
            "identical": not differing and not sample_diff and before["states"] == after["states"]}
