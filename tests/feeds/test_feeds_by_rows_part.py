"""A version renders again only the feeds whose subscriptions changed; every other operator's feed keeps its rows
part and gets a new head, byte for byte what rendering it whole would give.
"""
import hashlib
import json
from datetime import timedelta

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select

from app.export.subscribers import SUBSCRIBER_RENDERERS, SubscriberFeed
from app.models import SubscriberFile, WhitelistVersion
from app.models.types import utcnow
from app.services.profiles import ProfileInput, save_profile
from app.services.publication import dirty, feeds
from app.services.publication.files import body, cache_dir
from app.services.publication.signing import public_key_pem
from app.services.publication.verify import verify_latest
from tests.conftest import flask_cli
from tests.feeds.conftest import organisation


def files_of(db, serial: int) -> dict[tuple[str, str], SubscriberFile]:
    return {(f.organisation_id, f.format): f
            for f in db.session.scalars(select(SubscriberFile).where(SubscriberFile.serial == serial))}


def rendered_whole(db, version: WhitelistVersion, operator: str, fmt: str) -> bytes:
    """The feed as rendering it from scratch gives it: every row read again from the database."""
    subscribers, holders = feeds.approved_subscriptions(utcnow(), None)
    org = organisation(operator)
    return SUBSCRIBER_RENDERERS[fmt](SubscriberFeed(version.serial, version.published_at, org.name,
                                                    subscribers.get(org.id, []), holders, "raasta-vpn"))


def reads_of_subscriptions(monkeypatch) -> list:
    """The organisations each publication reads the approved subscriptions of (None: all of them)."""
    reads, real = [], feeds.approved_subscriptions
    monkeypatch.setattr(feeds, "approved_subscriptions",
                        lambda now, organisation_ids: reads.append(organisation_ids) or real(now, organisation_ids))
    return reads


def test_an_address_approval_keeps_every_feeds_rows_and_writes_new_heads(db, approved_subscriber,
                                                                          approved_application, publish,
                                                                          monkeypatch):
    approved_subscriber([("Jazz", "+923001234567"), ("Zong", "+923151112222")])
    first = publish("first")
    approved_application(["39.32.0.0/24"])
    reads = reads_of_subscriptions(monkeypatch)
    second = publish("second")
    assert reads == []  # no subscription read, no feed rendered again
    before, after = files_of(db, first.serial), files_of(db, second.serial)
    assert set(before) == set(after)
    key = load_pem_public_key(public_key_pem())
    for (organisation_id, fmt), file in after.items():
        assert file.rows_sha256 == before[(organisation_id, fmt)].rows_sha256  # kept, not rendered again
        whole = body(file.sha256)
        assert hashlib.sha256(whole).hexdigest() == file.sha256 and len(whole) == file.size
        key.verify(file.signature, whole)
    jazz = organisation("Jazz").id
    assert after[(jazz, "csv")].sha256 == before[(jazz, "csv")].sha256  # no head: the same body, the same file
    assert after[(jazz, "csv")].signature == before[(jazz, "csv")].signature
    head = json.loads(body(after[(jazz, "json")].sha256))
    assert head["serial"] == second.serial and head["count"] == 1
    assert [s["identifier"] for s in head["subscribers"]] == ["+923001234567"]
    assert f"whitelist serial {second.serial}," in body(after[(jazz, "radius")].sha256).decode()
    for fmt in ("csv", "json", "radius"):
        assert body(after[(jazz, fmt)].sha256) == rendered_whole(db, second, "Jazz", fmt)


def test_a_new_subscription_renders_its_operators_feed_again_and_no_other(db, approved_subscriber, publish,
                                                                          monkeypatch):
    approved_subscriber([("Jazz", "+923001234567"), ("Zong", "+923151112222")])
    first = publish("first")
    approved_subscriber([("Jazz", "+923009998888")], name="Bilal Ahmed")
    reads = reads_of_subscriptions(monkeypatch)
    second = publish("second")
    assert reads == [{organisation("Jazz").id}]
    before, after = files_of(db, first.serial), files_of(db, second.serial)
    jazz, zong = organisation("Jazz").id, organisation("Zong").id
    assert after[(zong, "json")].rows_sha256 == before[(zong, "json")].rows_sha256
    assert after[(jazz, "json")].rows_sha256 != before[(jazz, "json")].rows_sha256
    assert after[(jazz, "csv")].count == 2
    for operator in ("Jazz", "Zong"):
        for fmt in ("csv", "json", "radius"):
            org = organisation(operator).id
            assert body(after[(org, fmt)].sha256) == rendered_whole(db, second, operator, fmt)


def test_a_renamed_holder_is_renamed_in_the_feeds_of_their_operators(db, approved_subscriber, make_user, publish):
    user = make_user()
    save_profile(user, ProfileInput(kind="freelancer", name="Ayesha Khan", city="Multan", cnic="35202-7654321-2"))
    db.session.commit()
    approved_subscriber([("Jazz", "+923001234567")], applicant=user)
    first = publish("first")
    save_profile(user, ProfileInput(kind="freelancer", name="Ayesha Malik", city="Multan", cnic="35202-7654321-2"))
    db.session.commit()
    second = publish("renamed")
    assert second is not None and second.serial == first.serial + 1
    jazz = organisation("Jazz")
    rows = json.loads(body(feeds.feed_ref(second.serial, jazz, "json").sha256))["subscribers"]
    assert [row["holder"] for row in rows] == ["Ayesha Malik"]


def test_an_expired_approval_leaves_its_operators_feed_without_the_expiry_job(db, approved_subscriber, publish,
                                                                               monkeypatch):
    approved_subscriber([("Jazz", "+923001234567")], days=1)
    approved_subscriber([("Jazz", "+923007654321")], name="Bilal Ahmed")
    first = publish("first")
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr("app.services.publication.publish.utcnow", lambda: later)
    second = publish("a day later")
    assert second.serial == first.serial + 1
    assert feeds._identifiers(second.serial, organisation("Jazz")) == ["+923007654321"]


def test_another_filter_id_renders_the_radius_rows_again(app, db, approved_subscriber, approved_application,
                                                         publish):
    approved_subscriber([("Jazz", "+923001234567")])
    publish("first")
    app.config["RADIUS_FILTER_ID"] = "vpn-ok"
    approved_application(["39.32.0.0/24"])  # any change makes the next version
    second = publish("second")
    radius = body(feeds.feed_ref(second.serial, organisation("Jazz"), "radius").sha256).decode()
    assert 'Filter-Id := "vpn-ok"' in radius and "raasta-vpn" not in radius


def test_verify_finds_a_feed_a_change_did_not_mark_and_a_full_publication_repairs_it(db, approved_subscriber,
                                                                                      approved_application, publish,
                                                                                      worker_env):
    approved_subscriber([("Jazz", "+923001234567")])
    publish("first")
    assert verify_latest().intact
    approved_subscriber([("Jazz", "+923009998888")])
    dirty.take_feeds()  # a change that failed to mark its operator
    db.session.commit()
    verdict = verify_latest()
    assert verdict.stale_feeds == ["Jazz"] and not verdict.intact
    checked = flask_cli(worker_env, "whitelist", "verify")
    assert checked.returncode == 1
    assert "Jazz's subscriber feed differs from its approved subscriptions" in checked.stderr
    approved_application(["39.32.0.0/24"])
    stale = publish("the addresses only")
    assert feeds._identifiers(stale.serial, organisation("Jazz")) == ["+923001234567"]  # kept: nothing said otherwise
    repaired = flask_cli(worker_env, "whitelist", "publish", "--full")
    assert repaired.returncode == 0, repaired.stderr
    db.session.expire_all()
    latest = db.session.scalars(select(WhitelistVersion).order_by(WhitelistVersion.serial.desc())).first()
    assert feeds._identifiers(latest.serial, organisation("Jazz")) == ["+923001234567", "+923009998888"]
    assert verify_latest().intact


def test_a_feed_body_whose_cache_file_is_gone_is_written_again_from_its_head_and_rows(app, db, approved_subscriber,
                                                                                      approved_application, publish):
    approved_subscriber([("Jazz", "+923001234567")])
    publish("first")
    approved_application(["39.32.0.0/24"])
    second = publish("second")
    ref = feeds.feed_ref(second.serial, organisation("Jazz"), "json")
    (cache_dir() / ref.sha256).unlink(missing_ok=True)
    whole = body(ref.sha256)
    assert hashlib.sha256(whole).hexdigest() == ref.sha256
    assert json.loads(whole)["serial"] == second.serial
