"""Metadata and per-format downloads: bodies, ETags, 304s, caching headers and signatures."""
import hashlib

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from app.choices import WhitelistFormat
from app.export import RENDERERS
from app.models import WhitelistFile
from app.services.publication import files

FORMATS = sorted(RENDERERS)


def test_metadata_describes_the_latest_version_and_each_format(db, isp, two_versions):
    response = isp.get("/api/v1/whitelist")
    assert response.status_code == 200
    meta = response.json
    second = two_versions[1]
    assert (meta["serial"], meta["entries"], meta["prefixes"], meta["reason"]) == (2, 6, 5, "second")
    assert meta["published_at"] == second.published_at.isoformat()
    assert meta["audit_head"] == {"seq": second.audit_head_seq, "hash": second.audit_head_hash}
    assert meta["signing_key_url"] == "http://localhost/api/v1/signing-key"
    assert sorted(meta["formats"]) == FORMATS
    for fmt, described in meta["formats"].items():
        stored = db.session.get(WhitelistFile, (2, fmt))
        assert described == {"url": f"http://localhost/api/v1/whitelist/2.{fmt}", "sha256": stored.sha256,
                             "size": stored.size, "signature_url": f"http://localhost/api/v1/whitelist/2.{fmt}.sig"}
        body = isp.get(described["url"]).data
        assert hashlib.sha256(body).hexdigest() == described["sha256"] and len(body) == described["size"]
    assert response.headers["X-Whitelist-Serial"] == "2"
    again = isp.get("/api/v1/whitelist", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_nothing_published_yet_is_a_clear_404(isp):
    for path in ("/api/v1/whitelist", "/api/v1/whitelist/latest.txt", "/api/v1/whitelist/1.txt"):
        response = isp.get(path)
        assert response.status_code == 404
        assert "No whitelist has been published yet" in response.json["error"]["message"] or \
            "No whitelist version 1; the latest is none" in response.json["error"]["message"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_downloads_with_its_media_type_etag_and_serial(db, isp, two_versions, fmt):
    stored = db.session.get(WhitelistFile, (1, fmt))
    body = files.body(stored.sha256)
    response = isp.get(f"/api/v1/whitelist/1.{fmt}")
    assert response.status_code == 200
    assert response.data == body
    assert response.headers["Content-Type"] == WhitelistFormat.MEDIA_TYPES[fmt]
    assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert response.headers["X-Whitelist-Serial"] == "1"
    assert response.headers["Content-Disposition"] == f'inline; filename="raasta-whitelist-1.{fmt}"'
    assert response.headers["Content-Length"] == str(len(body))


def test_txt_is_the_aggregated_list(isp, two_versions):
    assert isp.get("/api/v1/whitelist/1.txt").data == b"39.32.0.0/24\n39.32.2.0/24\n2400:adc0::/48\n"
    assert isp.get("/api/v1/whitelist/latest.txt").data == (
        b"39.32.0.0/23\n39.32.2.0/24\n111.68.96.0/24\n2400:adc0::/48\n2400:adc0:100::/48\n")


@pytest.mark.parametrize("if_none_match, modified", [
    ('"{sha}"', False),
    ('W/"{sha}"', False),
    ('"0000", "{sha}"', False),
    ("*", False),
    ('"{sha}-other"', True),
    ('"0000"', True),
])
def test_if_none_match_gives_304_with_no_body(isp, two_versions, if_none_match, modified):
    sha = hashlib.sha256(isp.get("/api/v1/whitelist/latest.txt").data).hexdigest()
    response = isp.get("/api/v1/whitelist/latest.txt", headers={"If-None-Match": if_none_match.format(sha=sha)})
    assert response.status_code == (200 if modified else 304)
    assert (response.data != b"") is modified
    assert response.headers["ETag"] == f'"{sha}"' and response.headers["X-Whitelist-Serial"] == "2"


def test_numbered_versions_are_immutable_and_latest_is_short_lived(isp, two_versions):
    numbered = isp.get("/api/v1/whitelist/1.txt")
    latest = isp.get("/api/v1/whitelist/latest.txt")
    assert numbered.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert latest.headers["Cache-Control"] == "private, max-age=60"
    not_modified = isp.get("/api/v1/whitelist/1.txt", headers={"If-None-Match": numbered.headers["ETag"]})
    assert not_modified.headers["Cache-Control"] == "private, max-age=31536000, immutable"


def test_latest_follows_a_new_publication(isp, approved_application, publish):
    approved_application(["39.32.0.0/24"])
    publish()
    first = isp.get("/api/v1/whitelist/latest.txt")
    assert (first.headers["X-Whitelist-Serial"], first.data) == ("1", b"39.32.0.0/24\n")
    approved_application(["103.4.92.0/22"])
    publish()
    polled = isp.get("/api/v1/whitelist/latest.txt", headers={"If-None-Match": first.headers["ETag"]})
    assert polled.status_code == 200 and polled.headers["X-Whitelist-Serial"] == "2"
    assert polled.data == b"39.32.0.0/24\n103.4.92.0/22\n"
    assert isp.get("/api/v1/whitelist").json["serial"] == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_signatures_verify_against_the_published_key(isp, two_versions, fmt):
    key = isp.get("/api/v1/signing-key")
    assert key.status_code == 200 and key.headers["Content-Type"] == "application/x-pem-file"
    public_key = load_pem_public_key(key.data)
    for name in (f"1.{fmt}", f"latest.{fmt}"):
        body, signature = isp.get(f"/api/v1/whitelist/{name}"), isp.get(f"/api/v1/whitelist/{name}.sig")
        assert signature.headers["Content-Type"] == "application/octet-stream" and len(signature.data) == 64
        assert signature.headers["X-Whitelist-Serial"] == body.headers["X-Whitelist-Serial"]
        public_key.verify(signature.data, body.data)  # raises InvalidSignature otherwise
        assert signature.headers["ETag"] == f'"{hashlib.sha256(signature.data).hexdigest()}"'
        again = isp.get(f"/api/v1/whitelist/{name}.sig", headers={"If-None-Match": signature.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_signing_key_is_cacheable_too(isp):
    first = isp.get("/api/v1/signing-key")
    assert first.data.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert isp.get("/api/v1/signing-key", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_a_large_download_can_resume_with_a_range_request(isp, two_versions):
    body = isp.get("/api/v1/whitelist/2.json").data
    part = isp.get("/api/v1/whitelist/2.json", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == body[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(body)}"
