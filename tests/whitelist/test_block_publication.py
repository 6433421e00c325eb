"""Publication by blocks: each version re-renders only the blocks that changed, and its bodies are byte for byte
what rendering the whole approved space from scratch writes.

The reference here is the whole-list renderer (a Snapshot of every approved prefix, read through the ORM, and
app.export.RENDERERS): what publish() wrote before blocks existed.
"""
import os
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.addresses import AddressRange, aggregate
from app.choices import State, WhitelistFormat
from app.export import RENDERERS, Snapshot
from app.export.blocks import block_of
from app.export.snapshot import Holder
from app.extensions import db
from app.models import Application, ApprovedPrefix, WhitelistDirtyBlock
from app.models.types import utcnow
from app.services.profiles import ProfileInput, save_profile
from app.services.publication import block_store, files, pieces
from app.services.publication.publish import publish
from app.services.review.approvals import revoke
from tests.conftest import flask_cli


def _reference(version) -> dict[str, bytes]:
    """Every format of `version` as the whole-list renderer writes it from the approved space now."""
    now = utcnow()
    rows = db_rows(now)
    holders = {}
    for application in {row[3] for row in rows}:
        holders[application.id] = Holder(
            application.applicant.profile.name if application.applicant.profile else application.applicant.email,
            application.category or "", application.approved_at.isoformat(timespec="seconds"),
            application.expires_at.isoformat(timespec="seconds") if application.expires_at else "")
    entries = [(prefix.network, application.id) for _, _, prefix, application in rows]
    cidrs = aggregate(AddressRange(prefix.version, prefix.start, prefix.end) for _, _, prefix, _ in rows)
    snapshot = Snapshot(version.serial, version.published_at, entries, holders, cidrs, version.audit_head_seq,
                        version.audit_head_hash)
    return {fmt: renderer(snapshot) for fmt, renderer in RENDERERS.items()}


def db_rows(now):
    found = db.session.execute(select(ApprovedPrefix, Application).join(Application).where(
        Application.state == State.APPROVED, (Application.expires_at.is_(None)) | (Application.expires_at > now))).all()
    return sorted(((prefix.version, prefix.start, prefix, application) for prefix, application in found),
                  key=lambda row: (row[0], row[1], row[2].prefixlen, row[3].id))


def _published(version) -> dict[str, bytes]:
    return {f.format: files.body(f.sha256) for f in files.files_of(version)}


def _assert_as_from_scratch(version):
    assert version is not None
    published, reference = _published(version), _reference(version)
    assert sorted(published) == sorted(WhitelistFormat.ALL)
    for fmt in WhitelistFormat.ALL:
        assert published[fmt] == reference[fmt], fmt


@pytest.fixture
def step(db):
    def publish_now(reason="test"):
        version = publish(reason)
        db.session.commit()
        return version
    return publish_now


def test_every_kind_of_change_publishes_what_a_whole_render_would(app, db, approved_application, make_applicant,
                                                                  make_user, step, worker_env):
    firm = make_applicant("Indus Soft (Pvt) Ltd")
    first = approved_application(["39.32.0.0/24", "39.32.1.0/24", "2400:adc0::/48"], applicant=firm)
    approved_application(["111.68.96.0/22", "2400:adc0:100::/48"])
    _assert_as_from_scratch(step("first"))

    # a new approval in a block of its own and one beside an existing prefix (they aggregate across entries)
    approved_application(["202.165.224.7", "39.32.2.0/23"])
    _assert_as_from_scratch(step("more"))

    # a prefix wider than a block (a reviewer overrode the breadth rule) and two whole blocks side by side
    approved_application(["58.0.0.0/13"])  # blocks 58.0/14 and 58.4/14, full: one /13 line, not two /14
    approved_application(["120.0.0.0/14", "120.4.0.0/14"])  # two entries, two full blocks: one /13 line
    version = step("wide")
    _assert_as_from_scratch(version)
    assert b"58.0.0.0/13\n" in _published(version)["txt"] and b"120.0.0.0/13\n" in _published(version)["txt"]

    # a holder renamed: the name is on every row of their space
    save_profile(firm, ProfileInput(kind="firm", name="Indus Soft Solutions (Pvt) Ltd", city="Lahore",
                                    ntn="1234567-8", isp_name="PTCL", isp_subscriber_id="PTCL-1"))
    db.session.commit()
    version = step("renamed")
    _assert_as_from_scratch(version)
    assert b"Indus Soft Solutions (Pvt) Ltd" in _published(version)["csv"]

    # a revocation, and an approval past its expiry that the expiry job has not removed yet
    revoke(db.session.get(Application, first.id), "The office moved.", actor=make_user("reviewer"))
    db.session.commit()
    expired = approved_application(["103.4.92.0/24"])
    _assert_as_from_scratch(step("revoked"))
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    version = step("expired")
    _assert_as_from_scratch(version)
    assert b"103.4.92.0/24" not in _published(version)["txt"]

    # nothing left to do: the marks are spent, a full render finds nothing new, verify agrees
    assert db.session.scalars(select(WhitelistDirtyBlock)).all() == []
    assert publish("again", full=True) is None
    checked = flask_cli(worker_env, "whitelist", "verify")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"Version {version.serial} is intact; 0 blocks waiting for the next publication.\n"


def test_an_approval_renders_only_its_own_blocks_again(db, approved_application, step, monkeypatch):
    for n in range(20):
        approved_application([f"{39 + n}.32.0.0/24"])
    step("twenty blocks")
    rendered = []
    real = block_store.render_block
    monkeypatch.setattr(block_store, "render_block", lambda rows: rendered.append((rows.version, rows.index))
                        or real(rows))
    approved_application(["39.32.7.0/24"])
    version = step("one more")
    assert rendered == [(4, block_of(4, AddressRange.from_cidr(4, (39 << 24) | (32 << 16), 16).start))]
    _assert_as_from_scratch(version)


def test_a_host_that_did_not_publish_serves_the_same_bytes_from_the_database(app, db, approved_application, step,
                                                                            isp):
    approved_application(["39.32.0.0/24", "2400:adc0::/48"])
    step("first")
    approved_application(["111.68.96.0/24"])
    version = step("second")
    published = _published(version)
    for folder in (files.cache_dir(), pieces.root()):
        shutil.rmtree(folder)  # another host: neither the bodies nor the pieces are here
    for fmt in WhitelistFormat.ALL:
        response = isp.get(f"/api/v1/whitelist/{version.serial}.{fmt}")
        assert response.status_code == 200, response.data
        assert response.data == published[fmt], fmt


def test_a_change_that_failed_to_mark_its_block_is_found_and_a_full_publish_corrects_it(
        db, approved_application, step, worker_env):
    application = approved_application(["39.32.0.0/24"])
    step("first")
    db.session.execute(text("UPDATE applicant_profiles SET name = 'Renamed Behind Our Back' WHERE user_id = :id"),
                       {"id": application.applicant_id})  # a path that forgot dirty.mark_applicant
    db.session.commit()

    checked = flask_cli(worker_env, "whitelist", "verify")
    assert checked.returncode == 1
    assert f"IPv4 block {block_of(4, (39 << 24) | (32 << 16))} differs from the approved space" in checked.stderr
    assert "flask whitelist publish --full" in checked.stderr
    assert flask_cli(worker_env, "whitelist", "publish").stdout.startswith("Nothing changed")

    repaired = flask_cli(worker_env, "whitelist", "publish", "--full")
    assert repaired.returncode == 0 and repaired.stdout.startswith("Published whitelist version 2"), repaired.stderr
    db.session.expire_all()
    version = files.version_by_ref(2)
    assert b"Renamed Behind Our Back" in _published(version)["csv"]
    _assert_as_from_scratch(version)
    assert flask_cli(worker_env, "whitelist", "verify").returncode == 0


def test_pruning_passes_over_a_piece_folder_that_another_process_renamed_meanwhile(app, monkeypatch):
    """Two serving processes of one host build pieces at once: a temporary folder listed by one may be renamed
    into place by the other before its stat (found by bench/bench_load.py: an ISP's poll answered 500)."""
    root = pieces.root()
    root.mkdir(parents=True, exist_ok=True)
    old = time.time() - 3600
    for n in range(pieces.KEEP + 2):
        (root / f"{n}-folder").mkdir()
        os.utime(root / f"{n}-folder", (old + n, old + n))
    vanishing = root / ".9-renamed.tmp"
    vanishing.mkdir()
    real_stat, seen = Path.stat, []

    def stat(path, *args, **kwargs):
        if path == vanishing:
            seen.append(path)
            if len(seen) > 1:  # there for is_dir(), gone by the stat for its age
                raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    pieces._prune(keep=set())
    monkeypatch.undo()
    assert sorted(p.name for p in root.iterdir() if p.name != vanishing.name) == \
        [f"{n}-folder" for n in range(2, pieces.KEEP + 2)]  # the oldest two pruned, the newest KEEP kept
