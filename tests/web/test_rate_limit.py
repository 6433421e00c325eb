"""Sign-in attempts are rate limited per client, in the shared Redis, with a clear 429 page."""
from app import create_app
from app.config import TestConfig


def test_sign_in_is_rate_limited(app, tmp_path):
    limited = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                                    REDIS_URL=app.config["REDIS_URL"], INSTANCE_DIR=tmp_path,
                                    RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="3 per minute"))
    client = limited.test_client()
    statuses = [client.post("/sign-in", data={"email": "x@example.pk", "password": "wrong password"}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    page = client.post("/sign-in", data={"email": "x@example.pk", "password": "wrong password"})
    assert "Too many attempts" in page.text
    assert client.get("/sign-in").status_code == 200  # reading the page is never limited
