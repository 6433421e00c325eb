"""SMS_URL: each code's SMS is POSTed to the gateway by a real worker, retried while it fails, sent once, given up
when refused for good; the code stays out of the worker's log and of what RQ keeps of a failed try."""
import base64
import json
import re

import pytest
from sqlalchemy import select

from app.config import ConfigError, TestConfig
from app.jobs.sms import send_code
from app.models import SmsCode
from tests.isp.test_webhooks import Receiver
from tests.subscriptions.test_sms_codes import _draft, _urls


@pytest.fixture
def gateway():
    made = []

    def make(*statuses):
        made.append(Receiver(statuses or (200,)))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def through(app, worker_env):
    """through(receiver): the worker posts each SMS to the receiver, retried twice at once (the retries are set
    by the request that queues the job, the URL and timeout by the worker)."""

    def use(receiver):
        app.config.update(SMS_RETRY_INTERVALS=[0, 0])
        url = receiver.url.replace("http://", "http://raasta:s3cret%21@")  # a key in the URL: sent as basic auth
        worker_env.update(SMS_URL=url, SMS_TIMEOUT="5")

    return use


def _code_row(db) -> SmsCode:
    db.session.expire_all()
    return db.session.scalars(select(SmsCode)).one()


def test_the_gateway_gets_a_post_a_500_is_retried_and_the_code_works(freelancer, db, through, run_worker, gateway):
    receiver = gateway(500, 200)
    through(receiver)
    draft = _draft(freelancer)
    code_url, verify_url = _urls(draft)
    assert freelancer.post(code_url).status_code == 202
    worker = run_worker()

    assert len(receiver.requests) == 2  # the 500, then the same message again
    (path, headers, body), (_, _, again) = receiver.requests
    assert path == "/raasta/notice" and body == again
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"raasta:s3cret!").decode()
    message = json.loads(body)
    assert sorted(message) == ["reference", "text", "to"]
    assert message["to"] == "+923001234567" and headers["Idempotency-Key"] == message["reference"]
    (code,) = re.findall(r"(?<!\d)\d{6}(?!\d)", message["text"])
    assert code not in worker.stdout + worker.stderr and "s3cret" not in worker.stdout + worker.stderr
    row = _code_row(db)
    assert row.sent_at is not None and row.sealed_code is None and row.send_failed_at is None
    assert freelancer.post(verify_url, json={"code": code}).status_code == 200


def test_a_gateway_that_refuses_for_good_is_not_retried(freelancer, db, through, run_worker, gateway):
    receiver = gateway(400)
    through(receiver)
    draft = _draft(freelancer)
    freelancer.post(_urls(draft)[0])
    run_worker()
    assert len(receiver.requests) == 1
    row = _code_row(db)
    assert row.send_failed_at is not None and row.sent_at is None and row.sealed_code is None


def test_after_the_last_retry_the_code_is_left_unsent(freelancer, db, through, run_worker, gateway):
    receiver = gateway(503)
    through(receiver)
    freelancer.post(_urls(_draft(freelancer))[0])
    worker = run_worker()
    assert len(receiver.requests) == 3  # the try and two retries
    row = _code_row(db)
    assert row.send_failed_at is not None and row.sealed_code is None
    code = re.findall(r"(?<!\d)\d{6}(?!\d)", json.loads(receiver.requests[0][2])["text"])[0]
    assert code not in worker.stdout + worker.stderr  # RQ logs each failure: the reason, never the message


def test_the_job_sends_once_however_often_it_runs(freelancer, app, db, gateway):
    receiver = gateway(200)
    app.config.update(SMS_URL=receiver.url, SMS_TIMEOUT=5)
    freelancer.post(_urls(_draft(freelancer))[0])
    code_id = _code_row(db).id
    send_code(code_id)
    send_code(code_id)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("url", ["ftp://sms.example.pk/send", "sms.example.pk/send", "https://", "https://h:99999/"])
def test_a_wrong_sms_url_stops_start_up_naming_it(monkeypatch, url):
    monkeypatch.setenv("SMS_URL", url)
    with pytest.raises(ConfigError, match="SMS_URL=.* is not an http or https URL"):
        TestConfig()
