"""A publication cut short, by a killed process or a full disk, leaves the previous version whole, and the next one
completes.

The kill is real: a process of its own publishes, and SIGKILLs itself once three bodies are signed (no clean-up of
any kind runs), while the test's process holds the same database.
"""
import errno
import os
import subprocess
import sys
import textwrap

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, select

from app import audit
from app.choices import WhitelistFormat
from app.models import AuditEvent, SubscriberFile, WhitelistFile, WhitelistVersion
from app.services.publication import files, signing
from tests.conftest import REPO_ROOT, flask_cli

KILLED_MID_PUBLISH = textwrap.dedent("""
    import os, signal
    from app import create_app
    from app.services.publication import publish, signing

    app = create_app()
    real_finish = signing.Signing.finish
    signed = []

    def finish_then_die_at_the_third(self):
        signed.append(real_finish(self))
        if len(signed) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return signed[-1]

    signing.Signing.finish = finish_then_die_at_the_third
    with app.app_context():
        publish.publish("killed half-way")
    raise SystemExit("the publication finished: it was meant to be killed half-way")
""")


def _counts(db, serial: int) -> tuple[int, ...]:
    """How many rows of version `serial`: the version, its files, its operators' feeds."""
    return tuple(db.session.scalar(select(func.count()).select_from(model).where(model.serial == serial))
                 for model in (WhitelistVersion, WhitelistFile, SubscriberFile))


def test_a_publication_killed_half_way_leaves_the_last_version_and_the_next_one_completes(
        app, db, worker_env, approved_application, publish, isp):
    approved_application(["39.32.0.0/24", "2400:adc0::/48"])
    first = publish("first")
    before = isp.get("/api/v1/whitelist/latest.txt")
    approved_application(["111.68.96.0/24"])  # approved, not yet published
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    killed = subprocess.run([sys.executable, "-c", KILLED_MID_PUBLISH], cwd=REPO_ROOT, env=worker_env,
                            capture_output=True, text=True, timeout=120)

    assert killed.returncode == -9, (killed.returncode, killed.stderr[-2000:])
    db.session.expire_all()
    assert files.latest_serial() == first.serial
    assert _counts(db, first.serial + 1) == (0, 0, 0)  # nothing of the half-made version
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    assert audit.verify_chain().intact
    after = isp.get("/api/v1/whitelist/latest.txt")
    assert after.status_code == 200 and after.data == before.data == b"39.32.0.0/24\n2400:adc0::/48\n"
    assert after.headers["X-Whitelist-Serial"] == str(first.serial)

    again = flask_cli(worker_env, "whitelist", "publish", "--reason", "after the kill")
    assert again.returncode == 0, again.stderr
    db.session.expire_all()
    version = files.version_by_ref(files.LATEST)
    assert version.serial == first.serial + 1
    stored = {f.format: f for f in version.files}
    assert sorted(stored) == sorted(WhitelistFormat.ALL)
    key = load_pem_public_key(signing.public_key_pem())
    for fmt, row in stored.items():
        key.verify(row.signature, files.body(row.sha256))  # raises on a bad signature
    assert files.body(stored["txt"].sha256) == b"39.32.0.0/24\n111.68.96.0/24\n2400:adc0::/48\n"
    assert audit.verify_chain().intact


def test_a_full_disk_when_a_body_is_first_served_answers_503_and_leaves_no_partial_file(
        app, db, approved_application, publish, isp, monkeypatch):
    approved_application(["39.32.0.0/24"])
    version = publish("first")
    txt = files.file_of(version, "txt")
    cache = files.body_path(txt.sha256).parent
    for path in cache.iterdir():
        path.unlink()  # this host has not served it yet

    real_mkstemp = files.tempfile.mkstemp

    def on_a_full_disk(dir, prefix):
        fd, name = real_mkstemp(dir=dir, prefix=prefix)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), name  # every write: ENOSPC

    monkeypatch.setattr(files.tempfile, "mkstemp", on_a_full_disk)
    full = isp.get("/api/v1/whitelist/latest.txt")

    assert full.status_code == 503, full.data
    assert full.headers["Retry-After"] == "60"
    assert full.json["error"]["code"] == "unavailable"
    assert "cannot write the list to its disk" in full.json["error"]["message"]
    assert os.strerror(errno.ENOSPC) in full.json["error"]["message"]
    assert list(cache.iterdir()) == []  # no temporary, no truncated body

    monkeypatch.setattr(files.tempfile, "mkstemp", real_mkstemp)
    served = isp.get("/api/v1/whitelist/latest.txt")
    assert served.status_code == 200 and served.data == b"39.32.0.0/24\n"
    assert served.headers["ETag"] == f'"{txt.sha256}"'
