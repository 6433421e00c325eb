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
    wait = int(page.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert f"Too many sign-in attempts from your network. Try again in {wait} second" in page.text
    assert 'value="x@example.pk"' in page.text and "wrong password" not in page.text  # the email kept, never the password
    assert "<h1>Sign in</h1>" in page.text and 'role="alert"' in page.text  # the form itself, ready to send again
    assert client.get("/sign-in").status_code == 200  # reading the page is never limited


def test_sign_up_over_the_limit_keeps_the_name_and_email(app, tmp_path):
    limited = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                                    REDIS_URL=app.config["REDIS_URL"], INSTANCE_DIR=tmp_path,
                                    RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="1 per minute"))
    client = limited.test_client()
    form = {"name": "Ayesha Khan", "email": "not an email", "password": "short", "confirm": "short"}
    assert client.post("/sign-up", data=form).status_code == 200
    page = client.post("/sign-up", data=form)
    assert page.status_code == 429 and "Too many sign-up attempts from your network. Try again in" in page.text
    assert 'value="Ayesha Khan"' in page.text and 'value="not an email"' in page.text and 'value="short"' not in page.text
