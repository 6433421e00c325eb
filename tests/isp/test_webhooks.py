"""Webhooks: the URL an ISP sets, and signed notices delivered by a real worker to a real HTTP receiver."""
import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select

from app.choices import DeliveryState
from app.extensions import db as _db
from app.jobs.webhooks import DeliveryFailed, deliver_notice
from app.models import AuditEvent, IspOrganisation, WebhookDelivery, WhitelistFile
from app.services.publication import signing
from app.services.publication.publish import publish


class Receiver:
    """An HTTP server on 127.0.0.1 (random port) answering the statuses given, in turn; records each request."""

    def __init__(self, statuses=(200,), redirect_to=None):
        self.statuses, self.requests = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                if redirect_to:
                    self.send_header("Location", redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/raasta/notice"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(*statuses, redirect_to=None):
        made.append(Receiver(statuses or (200,), redirect_to))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _publish(approved_application, entries=("39.32.0.0/24",)):
    approved_application(list(entries))
    version = publish("batch approved")
    _db.session.commit()
    return version


def _deliveries(db):
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


@pytest.mark.parametrize("url, message", [
    ("ftp://isp.example.pk/notice", "is not an http or https URL"),
    ("https:///notice", "is not an http or https URL"),
    ("isp.example.pk/notice", "is not an http or https URL"),
    ("https://user:pw@isp.example.pk/", "Leave user names and passwords out"),
    ("https://isp.example.pk:99999/", "port"),
    ("https://bad_host!/", "is not a valid hostname"),
    ("https://10.1.2.3/notice", "is not a public address"),
    ("https://[::1]/notice", "is not a public address"),
    (42, "Send the webhook URL as text"),
])
def test_put_webhook_refuses_what_is_not_a_public_http_url(db, isp_user, api, url, message):
    response = api(isp_user("PTCL")).put("/api/v1/isp/webhook", json={"url": url})
    assert response.status_code == 422 and message in response.json["error"]["message"]
    assert response.json["error"]["details"] == {"url": response.json["error"]["message"]}
    assert db.session.scalar(select(IspOrganisation.webhook_url)) is None


def test_put_sets_and_removes_the_webhook_with_audit(db, isp_user, api):
    client = api(isp_user("PTCL"))
    assert client.put("/api/v1/isp/webhook", json={}).status_code == 422
    response = client.put("/api/v1/isp/webhook", json={"url": " https://noc.ptcl.example.pk/raasta "})
    assert response.status_code == 200 and response.json == {"url": "https://noc.ptcl.example.pk/raasta",
                                                             "deliveries": []}
    assert client.get("/api/v1/isp/webhook").json["url"] == "https://noc.ptcl.example.pk/raasta"
    assert client.put("/api/v1/isp/webhook", json={"url": None}).json["url"] is None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("isp_organisation.webhook%"))
                                .order_by(AuditEvent.seq)).all()
    assert [(e.action, e.data["after"]) for e in events] == [
        ("isp_organisation.webhook_set", "https://noc.ptcl.example.pk/raasta"),
        ("isp_organisation.webhook_removed", None)]


def test_a_new_version_is_posted_signed_to_each_webhook(db, app, isp_user, api, receiver, approved_application,
                                                        fast_webhooks, run_worker):
    ptcl, nayatel = receiver(200), receiver(204)
    api(isp_user("PTCL")).put("/api/v1/isp/webhook", json={"url": ptcl.url})
    api(isp_user("Nayatel")).put("/api/v1/isp/webhook", json={"url": nayatel.url})
    isp_user("Zong")  # no webhook: no delivery
    version = _publish(approved_application)
    assert [d.state for d in _deliveries(db)] == [DeliveryState.PENDING] * 2
    run_worker()

    assert len(ptcl.requests) == len(nayatel.requests) == 1
    path, headers, body = ptcl.requests[0]
    assert path == "/raasta/notice" and headers["Content-Type"] == "application/json"
    public_key = load_pem_public_key(signing.public_key_pem())
    public_key.verify(base64.b64decode(headers["X-Raasta-Signature"]), body)  # raises if the signature is wrong
    notice = json.loads(body)
    files = {f.format: f for f in db.session.scalars(select(WhitelistFile))}
    assert notice == {
        "serial": version.serial, "published_at": version.published_at.isoformat(),
        "formats": {fmt: {"url": f"https://raasta.example.pk/api/v1/whitelist/{version.serial}.{fmt}",
                          "sha256": f.sha256} for fmt, f in files.items()}}
    assert notice["formats"]["txt"]["sha256"] == hashlib.sha256(b"39.32.0.0/24\n").hexdigest()
    deliveries = _deliveries(db)
    assert [(d.state, d.attempts, d.last_status, d.last_error) for d in deliveries] == [
        (DeliveryState.DELIVERED, 1, 200, None), (DeliveryState.DELIVERED, 1, 204, None)]

    shown = api(isp_user("PTCL")).get("/api/v1/isp/webhook").json["deliveries"]
    assert [(d["serial"], d["state"], d["attempts"], d["last_status"]) for d in shown] == [
        (version.serial, "delivered", 1, 200)]
    assert publish("nothing changed") is None and len(_deliveries(db)) == 2  # no version, no notice


def test_a_failing_receiver_is_retried_then_the_delivery_succeeds_or_fails_for_good(
        db, isp_user, api, receiver, approved_application, fast_webhooks, run_worker):
    flaky, broken = receiver(500, 200), receiver(503)
    api(isp_user("PTCL")).put("/api/v1/isp/webhook", json={"url": flaky.url})
    api(isp_user("Nayatel")).put("/api/v1/isp/webhook", json={"url": broken.url})
    _publish(approved_application)
    run_worker()
    first, second = _deliveries(db)
    assert (first.state, first.attempts, first.last_status, first.last_error) == (DeliveryState.DELIVERED, 2, 200, None)
    assert flaky.requests[0][2] == flaky.requests[1][2]  # the same signed bytes each time
    assert (second.state, second.attempts, second.last_status) == (DeliveryState.FAILED, 3, 503)  # 1 + 2 retries
    assert "HTTP 503" in second.last_error and len(broken.requests) == 3


def test_redirects_are_not_followed(db, isp_user, api, receiver, approved_application, fast_webhooks, run_worker):
    target = receiver(200)
    moved = receiver(302, redirect_to=target.url)
    api(isp_user("PTCL")).put("/api/v1/isp/webhook", json={"url": moved.url})
    _publish(approved_application)
    run_worker()
    (delivery,) = _deliveries(db)
    assert (delivery.state, delivery.last_status) == (DeliveryState.FAILED, 302)
    assert f"redirect to {target.url} not followed" in delivery.last_error and target.requests == []


def test_a_host_resolving_to_a_private_address_is_refused_at_delivery(db, isp_user, receiver, approved_application):
    """A public-looking name may resolve to the regulator's own network: each try resolves and checks it."""
    target = receiver(200)
    organisation = db.session.get(IspOrganisation, isp_user("PTCL").organisation_id)
    organisation.webhook_url = target.url.replace("127.0.0.1", "localhost")  # as if set before it resolved so
    db.session.commit()
    _publish(approved_application)
    (delivery,) = _deliveries(db)
    with pytest.raises(DeliveryFailed) as refused:
        deliver_notice(delivery.id)
    assert "localhost resolves to a non-public address; refused" in str(refused.value) and target.requests == []
    (delivery,) = _deliveries(db)
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.PENDING, 1, None)
