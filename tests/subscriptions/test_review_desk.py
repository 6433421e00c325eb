"""The reviewer desk with subscriptions: the registration filter, search by number in any spelling, the
application's page and the batch's page."""
from app.choices import FindingCode, Severity, State
from app.models import Finding

NUMBER = "+923001234567"


def _ids(response):
    assert response.status_code == 200, response.json
    return [row["id"] for row in response.json["applications"]]


def test_the_queue_filters_by_registration(db, api, make_user, subscribed, make_reviewable):
    reviewer = api(make_user("reviewer"))
    numbers = subscribed([NUMBER])
    both = subscribed(["+923009999999"], entries=["39.32.7.0/24"])
    addresses = make_reviewable(["39.32.8.0/24"])
    assert _ids(reviewer.get("/api/v1/review/queue?registration=subscriptions")) == [numbers.id, both.id]
    assert _ids(reviewer.get("/api/v1/review/queue?registration=addresses")) == [both.id, addresses.id]
    assert _ids(reviewer.get("/api/v1/review/queue")) == [numbers.id, both.id, addresses.id]


def test_a_bad_registration_is_422_naming_it(db, api, make_user):
    refused = api(make_user("reviewer")).get("/api/v1/review/queue?registration=numbers")
    assert refused.status_code == 422
    assert refused.json["error"]["details"] == {
        "registration": "'numbers' is unknown; use one of addresses, subscriptions."}
    assert "registration" in refused.json["error"]["message"]


def test_q_finds_a_mobile_number_in_any_spelling_and_an_account_exactly(db, api, make_user, subscribed):
    reviewer = api(make_user("reviewer"))
    wanted = subscribed([NUMBER])
    subscribed(["+923001234568"])
    for spelling in ("0300-1234567", "+92 300 1234567", "923001234567", "۰۳۰۰-۱۲۳۴۵۶۷", "+923001234567"):
        assert _ids(reviewer.get("/api/v1/review/queue", query_string={"q": spelling})) == [wanted.id], spelling
    # An applicant found by name still is; a number matching nobody finds nothing.
    assert _ids(reviewer.get("/api/v1/review/queue", query_string={"q": "0301-7654321"})) == []
    name = wanted.applicant.profile.name
    assert wanted.id in _ids(reviewer.get("/api/v1/review/queue", query_string={"q": name}))


def test_the_web_queue_has_the_filter_and_the_search(db, login, make_user, subscribed, make_reviewable):
    wanted = subscribed([NUMBER])
    other = make_reviewable(["39.32.8.0/24"])
    client = login(make_user("reviewer"))
    page = client.get("/review/?registration=subscriptions").text
    assert '<select id="registration" name="registration">' in page or 'name="registration"' in page
    assert f'/review/applications/{wanted.id}"' in page and f'/review/applications/{other.id}"' not in page
    page = client.get("/review/", query_string={"q": "+92 300 1234567"}).text
    assert f'/review/applications/{wanted.id}"' in page and f'/review/applications/{other.id}"' not in page
    bad = client.get("/review/?registration=numbers")
    assert bad.status_code == 422 and "&#39;numbers&#39; is unknown; use one of addresses, subscriptions." in bad.text


def test_the_reviewer_page_shows_each_subscription_with_its_findings(db, login, make_user, subscribed):
    application = subscribed([NUMBER, "+923007654321"], state=State.FLAGGED, verified=False)
    first = application.subscriptions[0]
    db.session.add(Finding(application_id=application.id, subscription_id=first.id,
                           code=FindingCode.SUBSCRIPTION_APPROVED_OTHER, severity=Severity.ERROR,
                           message="0300-1234567 (Jazz) cannot be whitelisted for you as it stands",
                           reviewer_message="0300-1234567 (Jazz) is approved for another applicant (application 9)",
                           data={"application_id": 9}))
    db.session.commit()
    page = login(make_user("reviewer")).get(f"/review/applications/{application.id}").text
    table = page.split('<table class="stack-table subscriptions">')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]
    assert len(rows) == 2
    assert "Mobile number" in rows[0] and "Jazz" in rows[0] and '<code dir="ltr">0300-1234567</code>' in rows[0]
    assert "is approved for another applicant (application 9)" in rows[0]
    assert "subscription.approved_other" in rows[0] and "not yet" in rows[0] and "not asked" in rows[0]
    assert "0300-7654321" in rows[1] and "no findings" in rows[1]
    # The override form offers the subscription's error.
    assert '<option value="subscription.approved_other">' in page


def test_the_batch_page_lists_each_applications_numbers(db, login, make_user, subscribed, make_reviewable):
    numbers = subscribed([NUMBER, "+923007654321", "+923011111111", "+923022222222"])
    addresses = make_reviewable(["39.32.8.0/24"])
    client = login(make_user("reviewer"))
    made = client.post("/review/batches", data={"ids": [str(numbers.id), str(addresses.id)]})
    assert made.status_code == 302, made.text
    page = client.get(made.headers["Location"]).text
    cells = page.split('data-label="Numbers and accounts">')[1:]
    assert cells[0].startswith('4: <code dir="ltr">0300-1234567</code>, <code dir="ltr">0300-7654321</code>, '
                               '<code dir="ltr">0301-1111111</code> and 1 more</td>')
    assert cells[1].startswith("—</td>")
