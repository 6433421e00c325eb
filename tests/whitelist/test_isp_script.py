"""The ISP's cron script (docs/isp/raasta-whitelist-sync.sh, quoted in the README) against this portal.

Its verification step runs the real `openssl pkeyutl -verify -rawin`; the whole sync runs against a
live server with a stand-in `ipset` that records what it would load.
"""
import os
import shutil
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

from app.config import REPO_ROOT

SCRIPT = REPO_ROOT / "docs" / "isp" / "raasta-whitelist-sync.sh"
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl binary is not installed")


def _download(isp, path, target):
    target.write_bytes(isp.get(path).data)
    return target


def test_the_readme_quotes_the_script_word_for_word():
    assert SCRIPT.read_text() in (REPO_ROOT / "README.md").read_text()


@needs_openssl
def test_openssl_verifies_a_downloaded_body_and_refuses_a_tampered_one(isp, two_versions, tmp_path):
    body = _download(isp, "/api/v1/whitelist/latest.ipset", tmp_path / "body")
    signature = _download(isp, "/api/v1/whitelist/2.ipset.sig", tmp_path / "body.sig")
    key = _download(isp, "/api/v1/signing-key", tmp_path / "raasta.pub.pem")

    def verify(path):
        return subprocess.run(["bash", str(SCRIPT), "verify", str(path), str(signature), str(key)],
                              capture_output=True, text=True, timeout=60)

    assert verify(body).returncode == 0
    tampered = tmp_path / "tampered"
    tampered.write_bytes(body.read_bytes().replace(b"add raasta-v4-new 39.32.0.0/23", b"add raasta-v4-new 0.0.0.0/0"))
    assert tampered.read_bytes() != body.read_bytes()
    assert verify(tampered).returncode != 0
    assert verify(_download(isp, "/api/v1/whitelist/1.ipset", tmp_path / "older")).returncode != 0


@pytest.fixture
def live_portal(app):
    """The app served over real HTTP on a free loopback port, for curl."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@needs_openssl
@pytest.mark.skipif(shutil.which("curl") is None, reason="the curl binary is not installed")
def test_sync_loads_once_per_version_and_only_what_verifies(db, live_portal, isp, approved_application, publish,
                                                            tmp_path):
    approved_application(["39.32.0.0/24"])
    publish()
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    loaded = tmp_path / "loaded"
    (bin_dir / "ipset").write_text(f'#!/bin/sh\ncat >> "{loaded}"\necho loaded >> "{loaded}.count"\n')
    (bin_dir / "ipset").chmod(0o755)
    token_file = tmp_path / "token"
    token_file.write_text(isp.headers["Authorization"].split()[1])
    env = {**os.environ, "RAASTA_URL": live_portal, "TOKEN_FILE": str(token_file), "STATE": str(state),
           "PATH": f"{bin_dir}:{os.environ['PATH']}"}

    def sync():
        return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)

    first = sync()
    assert first.returncode == 0, first.stderr
    assert loaded.read_bytes() == isp.get("/api/v1/whitelist/1.ipset").data
    assert (state / "serial").read_text() == "1\n"
    assert (state / "raasta.pub.pem").read_bytes() == isp.get("/api/v1/signing-key").data
    assert sync().returncode == 0 and (tmp_path / "loaded.count").read_text() == "loaded\n"  # 304: no reload

    approved_application(["111.68.96.0/24"])
    publish()
    (state / "raasta.pub.pem").write_bytes(_foreign_key())  # as if a forged server answered
    refused = sync()
    assert refused.returncode == 1 and "FAILED signature check" in refused.stderr
    assert (state / "serial").read_text() == "1\n" and (tmp_path / "loaded.count").read_text() == "loaded\n"

    (state / "raasta.pub.pem").unlink()  # re-pinned from the portal
    second = sync()
    assert second.returncode == 0, second.stderr
    assert (state / "serial").read_text() == "2\n"
    assert (state / "current.ipset").read_bytes() == isp.get("/api/v1/whitelist/2.ipset").data


def _foreign_key() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
