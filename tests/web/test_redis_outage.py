"""A frozen Redis costs seconds, not minutes: health says so fast, pages that need no Redis still work
(issue 11.5)."""
import signal
import time

import pytest

from app import create_app
from app.config import TestConfig
from app.runtime import embedded_redis
from tests.conftest import PASSWORD, RequestContextClient


@pytest.fixture
def frozen_redis_app(app, tmp_path):
    """The test's database, with a Redis of its own that is then frozen (SIGSTOP) like the tester's."""
    socket_path = tmp_path / "frozen.sock"
    process = embedded_redis.start(socket_path)
    frozen = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                                   REDIS_URL=embedded_redis.url(socket_path), INSTANCE_DIR=tmp_path / "instance",
                                   RATELIMIT_ENABLED=True))
    frozen.test_client_class = RequestContextClient
    process.send_signal(signal.SIGSTOP)
    try:
        yield frozen
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


def _timed(call):
    started = time.monotonic()
    response = call()
    return time.monotonic() - started, response


def test_health_answers_503_within_two_seconds_and_sign_in_still_works(frozen_redis_app, make_user):
    user = make_user()
    client = frozen_redis_app.test_client()
    elapsed, response = _timed(lambda: client.get("/healthz"))
    assert elapsed < 3 and response.status_code == 503
    assert response.json["queue"].startswith("queue unreachable") and response.json["database"] == "ok"
    elapsed, response = _timed(lambda: client.post("/sign-in", data={"email": user.email, "password": PASSWORD}))
    assert elapsed < 5 and response.status_code == 302  # the rate limiter lets it through rather than hang
    elapsed, page = _timed(lambda: client.get("/account/tokens"))
    assert elapsed < 3 and page.status_code == 200 and "API tokens" in page.text
