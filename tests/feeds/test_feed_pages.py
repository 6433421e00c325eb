"""The operator's page shows its own subscriber feed: count, the three downloads, a diff, and the guide."""
from app.services.publication import feeds
from app.services.publication.files import body
from tests.feeds.conftest import organisation


def _operator(db, make_user, name):
    from app.services.isp_organisations import create_isp_user
    from tests.conftest import PASSWORD
    organisation(name)
    user = create_isp_user(f"noc@{name.lower()}.example.pk", PASSWORD, name)
    db.session.commit()
    return user


def test_the_isp_page_shows_the_operators_own_feed(db, client, login, make_user, approved_subscriber, publish):
    approved_subscriber([("Jazz", "+923001234567")])
    publish()
    approved_subscriber([("Jazz", "+923331112222"), ("Zong", "+923151112222")], name="Bilal Ahmed")
    second = publish()
    login(_operator(db, make_user, "Jazz"))
    page = client.get("/isp/").data.decode()
    assert "2 approved subscriptions" in page and "Jazz's subscriber feed" in page
    for fmt in ("csv", "json", "radius"):
        assert f"/isp/subscribers/{second.serial}/{fmt}" in page
    assert "+923151112222" not in page
    download = client.get(f"/isp/subscribers/{second.serial}/radius")
    assert download.status_code == 200
    assert download.data == body(feeds.feed_ref(second.serial, organisation("Jazz"), "radius").sha256)
    assert client.get(f"/isp/subscribers/{second.serial}/txt").status_code == 404
    diff = client.get(f"/isp/subscribers/diff?from={second.serial - 1}").data.decode()
    assert "+923331112222" in diff and "+923151112222" not in diff
    assert "Filter-Id" in client.get("/isp/subscribers/help").data.decode()


def test_an_operator_without_subscribers_is_told_what_will_come(db, client, login, make_user, approved_subscriber,
                                                                publish):
    approved_subscriber([("Jazz", "+923001234567")])
    publish()
    login(_operator(db, make_user, "Telenor"))
    page = client.get("/isp/").data.decode()
    assert "None of your subscribers is approved yet" in page and "+923001234567" not in page
    assert client.get("/isp/subscribers/1/csv").status_code == 404
