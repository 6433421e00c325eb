"""checks/isp.py through a real worker: every validation carries the ISP's current word."""
from app.choices import FindingCode, State
from app.models import Application


def _isp_findings(db, application):
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    return application.state, [(f.code, f.severity, f.message) for f in application.findings
                               if f.code.startswith(FindingCode.ISP_PREFIX)]


def test_a_dispute_sent_while_validating_flags_the_application(db, isp_user, subscriber, submitted, api,
                                                                run_worker):
    client = api(isp_user("PTCL"))
    disputed = submitted(subscriber(subscriber_id="PTCL-7"), ["39.32.12.0/24"])
    confirmed = submitted(subscriber(subscriber_id="PTCL-8", name="Ravi Textiles"), ["39.32.40.0/24"])
    waiting = submitted(subscriber(subscriber_id="PTCL-9", name="Soan Labs"), ["39.32.50.0/24"])
    client.post(f"/api/v1/isp/confirmations/{disputed.id}", json={"answer": "dispute", "reason": "Closed in 2023"})
    client.post(f"/api/v1/isp/confirmations/{confirmed.id}", json={"answer": "confirm"})
    assert db.session.get(Application, disputed.id).state == State.VALIDATING  # the check decides, not answer()
    run_worker()
    assert _isp_findings(db, disputed) == (State.FLAGGED, [
        (FindingCode.ISP_DISPUTED, "error", "PTCL disputed subscriber id PTCL-7: “Closed in 2023”")])
    state, found = _isp_findings(db, confirmed)
    assert state == State.READY and [c for c, _, _ in found] == [FindingCode.ISP_CONFIRMED]
    assert _isp_findings(db, waiting) == (State.READY, [
        (FindingCode.ISP_PENDING, "warning", "Awaiting PTCL's confirmation of subscriber id PTCL-9.")])


def test_an_isp_not_on_raasta_is_shown_as_unconfirmed(db, subscriber, submitted, run_worker):
    application = submitted(subscriber("Qubee Wireless", "QB-55"))
    run_worker()
    assert _isp_findings(db, application) == (State.READY, [
        (FindingCode.ISP_UNCONFIRMED, "info",
         "ISP Qubee Wireless is not on Raasta; nobody confirmed subscriber id QB-55.")])
