"""Two web hosts behind HAProxy (deploy/cluster.py), on one PostgreSQL and one Redis: a whole journey with its
requests alternating between the hosts, then a host killed and started again while the balancer keeps
answering (issue 25).

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (CI's second pass) and haproxy is installed (in CI
its absence is an error: .ci/run installs it). It works in a scratch database and in the Redis database of its
own test process, so the rest of the suite never sees its rows or its queue.
"""
import hashlib
import http.cookiejar
import io
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from deploy.cluster import Cluster
from tests.applicant.conftest import PDF, PNG
from tests.conftest import PASSWORD, _worker_redis, _xdist_worker, flask_cli

DATABASE_URL, REDIS_URL = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
SIGN_IN_LIMIT = 3  # per minute, for the whole cluster (RATELIMIT_SIGN_IN)

pytestmark = pytest.mark.skipif(not (DATABASE_URL.startswith("postgres") and REDIS_URL),
                                reason="several hosts need PostgreSQL and a Redis server: set DATABASE_URL "
                                       "(postgresql+psycopg://...) and REDIS_URL")


@pytest.fixture(scope="module")
def scratch_database():
    """A database of this test process's own, beside DATABASE_URL's, dropped afterwards."""
    worker = _xdist_worker()
    base = make_url(DATABASE_URL)
    scratch = base.set(database=f"{base.database}_hosts_{worker[0] if worker else 'main'}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    yield scratch.render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="module")
def cluster(scratch_database, tmp_path_factory):
    if not shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"):
        if os.environ.get("CI"):
            pytest.fail("haproxy is missing in CI; .ci/run installs Debian's haproxy package")
        pytest.skip("haproxy not installed (apt-get install haproxy)")
    worker = _xdist_worker()
    redis_url = _worker_redis(REDIS_URL, worker[1]) if worker else REDIS_URL
    Redis.from_url(redis_url).flushdb()  # no job or rate-limit count left by another test
    settings = {"WEB_CONCURRENCY": "1", "WEB_THREADS": "4", "RATELIMIT_SIGN_IN": f"{SIGN_IN_LIMIT} per minute"}
    with Cluster(tmp_path_factory.mktemp("cluster"), hosts=2, workers=1, database_url=scratch_database,
                 redis_url=redis_url, env=settings) as running:
        yield running
    Redis.from_url(redis_url).flushdb()


class Browser:
    """A user agent with one cookie jar that may send each request to any host, as a browser does behind the
    balancer (cookies do not name a port, so the jar sends them to every 127.0.0.1 host). Redirects are returned,
    not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  self._NoRedirect)

    def request(self, url: str, data: dict | None = None, files: dict | None = None, headers: dict | None = None,
                method: str | None = None):
        body, headers = None, dict(headers or {})
        if files:
            body, headers["Content-Type"] = _multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        try:
            response = self.opener.open(urllib.request.Request(url, data=body, headers=headers, method=method),
                                        timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            response.body = response.read()
            response.text = response.body.decode(errors="replace")
            return response

    def csrf(self, url: str) -> str:
        """The CSRF token of the form on the page at url (and the session cookie that goes with it)."""
        page = self.request(url)
        while page.status in (302, 303):  # e.g. the new-application form adds its key to its address
            page = self.request(urllib.parse.urljoin(url, page.headers["Location"]))
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type, by werkzeug's encoder; `files`: name -> (filename, bytes)."""
    boundary, body = encode_multipart({**fields, **{name: FileStorage(io.BytesIO(content), filename=filename)
                                                    for name, (filename, content) in files.items()}})
    return body, f"multipart/form-data; boundary={boundary}"


def _post_json(url: str, token: str, body: dict):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        response.json = json.loads(response.read())
        return response


def _user_with_token(cluster, email: str, role: str, *extra: str) -> str:
    created = flask_cli(cluster.env, "users", "create", email, "--role", role, "--password", PASSWORD, *extra)
    assert created.returncode == 0, created.stderr
    issued = flask_cli(cluster.env, "tokens", "create", email)
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip().split()[-1]


def test_a_journey_alternating_between_the_hosts(cluster):
    a, b, balancer = cluster.hosts[0].url, cluster.hosts[1].url, cluster.url

    # Sign-up: the form (session cookie and CSRF token) from host A, the post to host B, which accepts both.
    bilal = Browser()
    token = bilal.csrf(f"{a}/sign-up")
    signed_up = bilal.request(f"{b}/sign-up", {"csrf_token": token, "name": "Bilal Ahmed", "email": "bilal@example.pk",
                                               "password": PASSWORD, "confirm": PASSWORD})
    assert signed_up.status == 302 and signed_up.headers["Location"].endswith("/profile")
    assert "Welcome to Raasta, Bilal Ahmed" in bilal.request(f"{a}/profile").text  # the flash, kept by host A

    # Profile saved on B, read on A.
    saved = bilal.request(f"{b}/profile", {"csrf_token": bilal.csrf(f"{a}/profile"), "kind": "freelancer",
                                           "name": "Bilal Ahmed", "cnic": "35202-1234567-1", "city": "Karachi",
                                           "phone": "0300-1234567", "isp_name": "StormFiber",
                                           "isp_subscriber_id": "SF-1"})
    assert saved.status == 302
    assert 'value="35202-1234567-1"' in bilal.request(f"{a}/profile").text

    # An application, made through the balancer.
    created = bilal.request(f"{balancer}/applications/new", {
        "csrf_token": bilal.csrf(f"{balancer}/applications/new"), "purpose": "VPN to my client in Canada",
        "category": "freelancer_vpn", "entries": "39.32.12.0/24\n2400:adc0:100::/48",
        "endpoints-0-host": "vpn.client.ca", "endpoints-0-protocol": "openvpn", "endpoints-0-port": "1194",
        "endpoints-0-peer": "Client Inc."})
    assert created.status == 302, created.text[-2000:]
    detail = created.headers["Location"]
    application_id = int(re.search(r"/applications/(\d+)", detail).group(1))

    # Documents uploaded through host A, downloaded through host B byte for byte.
    for kind, name, content in (("cnic_front", "front.pdf", PDF), ("cnic_back", "back.png", PNG)):
        uploaded = bilal.request(f"{a}/applications/{application_id}/documents",
                                 {"csrf_token": bilal.csrf(f"{a}/applications/{application_id}"), "kind": kind},
                                 files={"file": (name, content)})
        assert uploaded.status == 302, uploaded.text[-2000:]
    page = bilal.request(f"{b}/applications/{application_id}").text
    document_ids = re.findall(rf'/applications/{application_id}/documents/(\d+)"', page)
    downloads = [bilal.request(f"{b}/applications/{application_id}/documents/{d}").body for d in document_ids]
    assert sorted(downloads) == sorted([PDF, PNG])

    # Submitted through the balancer; the worker validates it.
    submitted = bilal.request(f"{balancer}/applications/{application_id}/submit",
                              {"csrf_token": bilal.csrf(f"{balancer}/applications/{application_id}")})
    assert submitted.status == 302
    deadline, state = time.monotonic() + 60, None
    while state != "ready" and time.monotonic() < deadline:
        time.sleep(0.5)
        state = json.loads(bilal.request(f"{balancer}/applications/{application_id}/status.json").body)["state"]
    assert state == "ready"

    # Maker on host A, checker on host B; the maker may not check.
    maker = _user_with_token(cluster, "maker@pta.gov.pk", "reviewer")
    checker = _user_with_token(cluster, "checker@pta.gov.pk", "reviewer")
    batch = _post_json(f"{a}/api/v1/batches", maker, {"application_ids": [application_id]})
    assert batch.status == 201 and batch.json["state"] == "pending_approval"
    batch_id = batch.json["id"]
    refused = _post_json(f"{b}/api/v1/batches/{batch_id}/approve", maker, {})
    assert refused.status == 403
    approved = _post_json(f"{b}/api/v1/batches/{batch_id}/approve", checker, {})
    assert approved.status == 200 and approved.json["state"] == "published", approved.json
    serial = approved.json["whitelist_serial"]

    # An ISP polls both hosts: the same body, ETag (its sha256) and serial from each, 304 from each after.
    isp = _user_with_token(cluster, "noc@stormfiber.pk", "isp", "--organisation", "StormFiber")
    isp_headers = {"Authorization": f"Bearer {isp}"}
    polled = [Browser().request(f"{host}/api/v1/whitelist/latest.txt", headers=isp_headers) for host in (a, b)]
    assert [p.status for p in polled] == [200, 200]
    assert polled[0].body == polled[1].body == b"39.32.12.0/24\n2400:adc0:100::/48\n"
    etag = polled[0].headers["ETag"]
    assert polled[1].headers["ETag"] == etag == f'"{hashlib.sha256(polled[0].body).hexdigest()}"'
    assert {p.headers["X-Whitelist-Serial"] for p in polled} == {str(serial)}
    for host in (a, b, a, b):  # twice each: the second answer may come from the host's poll cache
        again = Browser().request(f"{host}/api/v1/whitelist/latest.txt", headers={**isp_headers, "If-None-Match": etag})
        assert again.status == 304 and again.body == b""
    key = load_pem_public_key(Browser().request(f"{a}/api/v1/signing-key", headers=isp_headers).body)
    signature = Browser().request(f"{b}/api/v1/whitelist/{serial}.txt.sig", headers=isp_headers).body
    key.verify(signature, polled[1].body)  # raises InvalidSignature otherwise

    # The balancer took turns: both hosts answered requests sent to it.
    assert all(server["requests"] > 0 for server in cluster.balancer_view().values())


def test_a_rate_limit_counts_on_every_host(cluster):
    """Sign-in attempts from one client address count in Redis, whichever host takes them. The hosts believe the
    address the balancer forwards (TRUSTED_PROXY), so a client's own X-Forwarded-For through it changes nothing."""
    a, b = cluster.hosts[0].url, cluster.hosts[1].url
    mallory = Browser()
    token = mallory.csrf(f"{a}/sign-in")
    attempt = {"csrf_token": token, "email": "bilal@example.pk", "password": "guess"}
    from_mallory = {"X-Forwarded-For": "203.0.113.7"}  # as the balancer would forward her requests
    for host in (a, b, a)[:SIGN_IN_LIMIT]:
        assert mallory.request(f"{host}/sign-in", attempt, headers=from_mallory).status == 200
    limited = mallory.request(f"{b}/sign-in", attempt, headers=from_mallory)
    assert limited.status == 429 and int(limited.headers["Retry-After"]) > 0
    # Through the balancer her claimed address is not believed: the balancer's own hop (127.0.0.1) counts.
    assert mallory.request(f"{cluster.url}/sign-in", attempt, headers=from_mallory).status == 200


def test_a_killed_host_costs_nothing_once_the_balancer_takes_it_out(cluster):
    cluster.kill_host(0)
    killed_at, taken_out_after, answers = time.monotonic(), None, []
    while time.monotonic() - killed_at < 5:
        answers.append(Browser().request(f"{cluster.url}/sign-in").status)
        if taken_out_after is None and cluster.balancer_view()["host-1"]["status"] == "DOWN":
            taken_out_after = time.monotonic() - killed_at
    assert taken_out_after is not None and taken_out_after < 3.5, taken_out_after  # two checks a second apart
    # A refused connection is tried again on host 2, so even the requests before the checks noticed succeed.
    assert set(answers) == {200}, answers

    cluster.start_host(0)
    cluster.wait_healthy(timeout=60)
    assert cluster.balancer_view()["host-1"]["status"] == "UP"
    served_before = cluster.balancer_view()["host-1"]["requests"]
    for _ in range(6):
        assert Browser().request(f"{cluster.url}/sign-in").status == 200
    assert cluster.balancer_view()["host-1"]["requests"] > served_before
