"""Several web hosts behind one database serve identical bytes, each from its own disk cache."""
import hashlib
import os

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.services.publication.files import CACHE_FOLDER
from tests.conftest import RequestContextClient


def _second_host(app, instance):
    other = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                                  REDIS_URL=app.config["REDIS_URL"], INSTANCE_DIR=instance))
    other.test_client_class = RequestContextClient
    return other


def test_two_hosts_serve_identical_bytes_from_their_own_caches(app, isp, two_versions, tmp_path):
    other = _second_host(app, tmp_path / "host-b")
    token = isp.headers
    names = [f"{serial}.{fmt}" for serial in (1, "latest") for fmt in ("txt", "csv", "json")]
    try:
        with other.app_context():
            from_b = {name: other.test_client().get(f"/api/v1/whitelist/{name}", headers=token) for name in names}
            _db.session.remove()
    finally:
        with other.app_context():
            _db.engine.dispose()
    for name in names:
        from_a = isp.get(f"/api/v1/whitelist/{name}")
        if from_a.status_code == 404:  # a format not rendered yet
            continue
        assert (from_a.status_code, from_b[name].status_code) == (200, 200)
        assert from_a.data == from_b[name].data and from_a.headers["ETag"] == from_b[name].headers["ETag"]
        sha256 = from_a.headers["ETag"].strip('"')
        for instance in (app.config["INSTANCE_DIR"], tmp_path / "host-b"):
            assert (instance / CACHE_FOLDER / sha256).read_bytes() == from_a.data
            assert hashlib.sha256(from_a.data).hexdigest() == sha256


def test_a_damaged_cache_copy_is_written_again(app, isp, two_versions):
    body = isp.get("/api/v1/whitelist/1.txt").data
    cached = app.config["INSTANCE_DIR"] / CACHE_FOLDER / isp.get("/api/v1/whitelist/1.txt").headers["ETag"].strip('"')
    cached.write_bytes(body[:5])  # e.g. a disk that filled up mid-copy
    assert isp.get("/api/v1/whitelist/1.txt").data == body
    assert cached.read_bytes() == body
    assert not [p for p in cached.parent.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_the_cache_keeps_recent_versions_and_writes_an_old_one_again(app, isp, approved_application, publish):
    from app.services.publication.files import KEEP_VERSIONS

    approved_application(["39.32.0.0/24"])
    publish()
    first = isp.get("/api/v1/whitelist/1.txt")
    cached = app.config["INSTANCE_DIR"] / CACHE_FOLDER / first.headers["ETag"].strip('"')
    stale = cached.parent / ".0123456789abcdef.leftover"  # an interrupted write
    stale.write_bytes(b"partial")
    for n, prefix in enumerate(["39.32.2.0/24", "39.32.4.0/24", "39.32.6.0/24"][:KEEP_VERSIONS]):
        approved_application([prefix])
        publish()
        isp.get("/api/v1/whitelist/latest.txt")  # written now: recent
        if n == 0:
            two_hours_ago = cached.stat().st_mtime - 7200
            for path in (cached, stale):
                os.utime(path, (two_hours_ago, two_hours_ago))
    assert not cached.exists() and not stale.exists()  # version 1 is no longer among the newest
    assert isp.get("/api/v1/whitelist/1.txt").data == first.data == b"39.32.0.0/24\n"
    assert cached.read_bytes() == first.data
