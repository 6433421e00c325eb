"""isp.pending is a warning the queue shows as an application's worst finding."""
from app.choices import FindingCode, Severity, State
from app.models import Application
from app.services.review.queue import QueueFilter, queue_page

PENDING = (FindingCode.ISP_PENDING, Severity.WARNING)


def test_an_unanswered_isp_is_a_warning_the_queue_shows_as_the_worst_finding(db, isp_user, subscriber, submitted,
                                                                              run_worker):
    isp_user("PTCL")
    # Two entries that overlap each other: an info finding whose code sorts before isp.pending.
    application = submitted(subscriber(subscriber_id="PTCL-9"), ["39.32.12.0/24", "39.32.12.0/25"])
    run_worker()
    db.session.expire_all()
    found = {(f.code, f.severity) for f in db.session.get(Application, application.id).findings}
    assert PENDING in found and (FindingCode.DUPLICATE_ENTRY, Severity.INFO) in found
    [row] = queue_page(QueueFilter()).rows
    assert (row.id, row.state, row.worst_severity, row.worst_code) == (
        application.id, State.READY, Severity.WARNING, FindingCode.ISP_PENDING)
