"""Every published version carries each operator's subscriber feed: csv, json and radius, signed and stored."""
import csv
import io
import json

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from app.models import SubscriberFile
from app.services.publication import dirty, feeds
from app.services.publication.files import body
from app.services.publication.signing import public_key_pem
from tests.feeds.conftest import organisation


def test_feeds_hold_each_operators_own_subscribers(db, approved_subscriber, approved_application, publish):
    approved_application(["39.32.0.0/24"])
    approved_subscriber([("Jazz", "+923001234567"), ("PTCL", "lhr-0042")], name="Ayesha Khan")
    approved_subscriber([("Zong", "+923151112222")], name="Bilal, Ahmed")
    version = publish()
    assert version.subscription_count == 3
    jazz = organisation("Jazz")
    rows = list(csv.reader(io.StringIO(body(feeds.feed_ref(version.serial, jazz, "csv").sha256).decode())))
    assert rows[0] == ["identifier", "kind", "application_id", "holder", "approved_at", "expires_at"]
    assert [row[:2] + [row[3]] for row in rows[1:]] == [["+923001234567", "mobile", "Ayesha Khan"]]
    zong = json.loads(body(feeds.feed_ref(version.serial, organisation("Zong"), "json").sha256))
    assert zong["count"] == 1 and zong["organisation"] == "Zong"
    assert [(s["identifier"], s["holder"], s["expires_at"] is not None) for s in zong["subscribers"]] == [
        ("+923151112222", "Bilal, Ahmed", True)]
    radius = body(feeds.feed_ref(version.serial, organisation("PTCL"), "radius").sha256).decode()
    assert 'DEFAULT\tUser-Name == "lhr-0042"\n\tFilter-Id := "raasta-vpn",\n\tFall-Through = Yes\n' in radius
    assert "923001234567" not in radius and "923151112222" not in radius
    jazz_radius = body(feeds.feed_ref(version.serial, jazz, "radius").sha256).decode()
    assert 'DEFAULT\tCalling-Station-Id == "923001234567"\n' in jazz_radius
    # Organisations without subscribers get no feed at all.
    assert feeds.feed_ref(version.serial, organisation("Telenor"), "csv") is None


def test_feed_bodies_are_signed(db, approved_subscriber, publish):
    approved_subscriber([("Jazz", "+923001234567")])
    version = publish()
    key = load_pem_public_key(public_key_pem())
    for fmt in ("csv", "json", "radius"):
        ref = feeds.feed_ref(version.serial, organisation("Jazz"), fmt)
        key.verify(ref.signature, body(ref.sha256))  # raises InvalidSignature on a mismatch


def test_changed_subscriptions_alone_make_a_new_serial(db, approved_subscriber, approved_application, publish):
    approved_application(["39.32.0.0/24"])
    first = publish()
    assert first.subscription_count == 0 and db.session.query(SubscriberFile).count() == 0
    assert publish() is None  # nothing changed
    approved_subscriber([("Jazz", "+923001234567")])
    second = publish()
    assert second.serial == first.serial + 1 and second.subscription_count == 1


def test_an_operator_whose_subscribers_are_gone_gets_an_empty_feed(db, approved_subscriber, publish):
    from app.choices import State
    application = approved_subscriber([("Jazz", "+923001234567")])
    first = publish()
    dirty.mark_applications([application.id])  # as a revocation does, before the state changes
    application.state = State.REVOKED
    db.session.commit()
    second = publish()
    assert second.serial == first.serial + 1
    ref = feeds.feed_ref(second.serial, organisation("Jazz"), "csv")
    assert ref.count == 0 and body(ref.sha256).decode().strip() == "identifier,kind,application_id,holder," \
                                                                    "approved_at,expires_at"
    assert feeds.feed_diff(first.serial, second.serial, organisation("Jazz")) == {
        "from": first.serial, "to": second.serial, "added": [], "removed": ["+923001234567"]}
