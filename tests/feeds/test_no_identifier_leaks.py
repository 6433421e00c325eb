"""A subscriber's number is seen by its own operator only: never in the public whitelist files, another
operator's feeds, diffs, webhook notices or errors, nor in the whitelist metadata. (Another operator's
confirmations: tests/isp/test_confirmations_per_organisation.py.)"""
import json

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.models import WebhookDelivery, WhitelistFile
from app.services.publication.files import body
from tests.isp.test_webhooks import Receiver

KNOWN = "+923001234567"
SPELLINGS = (KNOWN, KNOWN.lstrip("+"), "03001234567", "3001234567")  # however it might be written


def _clean(text: str, where: str) -> None:
    for spelling in SPELLINGS:
        assert spelling not in text, f"{spelling} leaked into {where}"


@pytest.fixture
def receivers():
    made = []
    yield lambda: made.append(Receiver((200,))) or made[-1]
    for receiver in made:
        receiver.close()


@pytest.fixture
def worker_env(worker_env):
    return {**worker_env, "WEBHOOK_ALLOW_PRIVATE_HOSTS": "1", "WEBHOOK_RETRY_INTERVALS": "0,0",
            "WEBHOOK_TIMEOUT": "5", "PUBLIC_URL": "https://raasta.example.pk"}


def test_a_known_number_reaches_its_own_operator_only(db, app, approved_subscriber, approved_application, publish,
                                                      operator_api, receivers, run_worker):
    app.config.update(WEBHOOK_ALLOW_PRIVATE_HOSTS=True)
    jazz, zong = operator_api("Jazz"), operator_api("Zong")
    jazz_hook, zong_hook = receivers(), receivers()
    assert jazz.put("/api/v1/isp/webhook", json={"url": jazz_hook.url}).status_code == 200
    assert zong.put("/api/v1/isp/webhook", json={"url": zong_hook.url}).status_code == 200
    approved_application(["39.32.0.0/24"])
    approved_subscriber([("Jazz", KNOWN)])
    approved_subscriber([("Zong", "+923151112222")], name="Bilal Ahmed")
    first = publish("first")
    approved_subscriber([("Zong", "+923159998888")], name="Sana Iqbal")
    second = publish("second")
    run_worker()

    # Jazz's own answers do hold it (so the checks below can fail).
    assert KNOWN in jazz.get("/api/v1/isp/subscribers/latest.csv").data.decode()
    jazz_notice = json.loads(jazz_hook.requests[0][2])
    assert set(jazz_notice["subscribers"]) == {"csv", "json", "radius"}

    # The public whitelist files and metadata, in every version.
    for file in _db.session.scalars(select(WhitelistFile)):
        _clean(body(file.sha256).decode(), f"whitelist {file.serial}.{file.format}")
    _clean(zong.get("/api/v1/whitelist").data.decode(), "the whitelist metadata")
    # Another operator's feeds, diffs, confirmations and errors.
    for path in ("latest.csv", "latest.json", "latest.radius", f"{first.serial}.csv",
                 f"diff?from={first.serial}&to=latest", "diff?from=0&to=latest", "99.csv", "latest.txt"):
        response = zong.get(f"/api/v1/isp/subscribers/{path}")
        _clean(response.data.decode(errors="replace"), f"Zong's {path} ({response.status_code})")
    telenor = operator_api("Telenor")
    for path in ("latest.csv", f"diff?from={first.serial}&to={second.serial}"):
        _clean(telenor.get(f"/api/v1/isp/subscribers/{path}").data.decode(), f"Telenor's {path}")
    for state in ("pending", "confirmed", "disputed"):
        _clean(zong.get(f"/api/v1/isp/confirmations?state={state}").data.decode(), "Zong's confirmations")
    # Webhook notices to another operator.
    assert len(zong_hook.requests) == 2 and len(jazz_hook.requests) == 2
    for _, _, notice in zong_hook.requests:
        _clean(notice.decode(), "Zong's webhook notice")
        shown = json.loads(notice)["subscribers"]["csv"]
        _clean(zong.get(shown["url"].replace("https://raasta.example.pk", "")).data.decode(), "Zong's own feed")
    assert [d.state for d in _db.session.scalars(select(WebhookDelivery))] == ["delivered"] * 4
