"""The queue page: rows, counts, filters, keyset pages, and batching from it."""
import re

import pytest
from sqlalchemy import select

from app.choices import BatchState, State
from app.models import Batch, Override
from app.web.review import queue as queue_views

ERROR = ("address.too_broad", "error")


def rows(html: str) -> dict[int, str]:
    """{application id: the row's HTML} in page order."""
    body = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    return {int(re.search(r"/review/applications/(\d+)", row).group(1)): row
            for row in body.split("<tr data-href")[1:]}


def test_a_row_shows_the_applicant_sizes_worst_finding_and_the_counts(login, reviewer, queued, make_applicant_as):
    firm = make_applicant_as("Indus Soft (Pvt) Ltd", isp="Nayatel")
    ready = queued(["39.32.12.0/24", "111.68.96.10"], applicant=firm, days_old=3,
                   findings=[(0, "geo.asn", "info", None)])
    flagged = queued(["39.32.0.0/16"], state=State.FLAGGED, findings=[(0, *ERROR, None),
                                                                      (0, "geo.outside_pakistan", "warning", None)])
    page = login(reviewer).get("/review/").text
    found = rows(page)
    assert list(found) == [ready.id, flagged.id]  # oldest first
    row = found[ready.id]
    assert "Indus Soft (Pvt) Ltd" in row and firm.email in row and "Nayatel" in row
    assert "2 / 257" in row and "3 days" in row and "Company VPN" in row
    assert 'badge-info">info' in row and "geo.asn" in row
    assert 'badge-error">error' in found[flagged.id] and "address.too_broad" in found[flagged.id]
    assert "geo.outside_pakistan" not in found[flagged.id]  # only the worst finding
    counts = re.findall(r'state-count-number">(\d+)</span>\s*<span class="state-count-label">([^<]+)<', page)
    assert counts == [("0", "Suspended"), ("1", "Ready"), ("1", "Flagged"), ("0", "Needs info"),
                      ("0", "Validation failed"), ("0", "In a batch")]
    assert 'href="/review/?state=flagged&amp;batched=no"' in page and 'href="/review/?state=needs_info"' in page
    assert "<strong>2</strong> applications match" in page


@pytest.mark.parametrize("query, expected", [
    ("state=flagged", ["flagged"]),
    ("kind=freelancer", ["freelancer"]),
    ("city=karachi", ["freelancer"]),
    ("isp=stormfiber", ["freelancer"]),
    ("q=Bolan", ["flagged"]),
    ("q=35202-1234567-1", ["freelancer"]),
    ("address=39.32.12.77", ["ready"]),
    ("address=39.32.0.0/16", ["ready", "flagged"]),
    ("older_than_days=5", ["flagged"]),
    ("code=address.too_broad", ["flagged"]),
    ("category=call_center", ["freelancer"]),
    ("has_overrides=yes", ["flagged"]),
    ("has_overrides=no&kind=firm", ["ready"]),
])
def test_filters_narrow_the_rows(login, reviewer, queued, make_applicant_as, db, query, expected):
    made = {
        "ready": queued(["39.32.12.0/24"], days_old=1),
        "flagged": queued(["39.32.128.0/17"], state=State.FLAGGED, days_old=9,
                          applicant=make_applicant_as("Bolan Traders"), findings=[(0, *ERROR, None)]),
        "freelancer": queued(["111.68.96.10"], category="call_center",
                             applicant=make_applicant_as("Sana Freelancer", kind="freelancer", city="Karachi",
                                                         isp="StormFiber")),
    }
    db.session.add(Override(application_id=made["flagged"].id, code=ERROR[0], reason="A /17 for a call centre",
                            reviewer_id=reviewer.id))
    db.session.commit()
    response = login(reviewer).get(f"/review/?{query}")
    assert response.status_code == 200
    names = {application.id: name for name, application in made.items()}
    assert sorted(names[i] for i in rows(response.text)) == sorted(expected)


@pytest.mark.parametrize("query, field, typed, says", [
    ("address=1.2.3", "address", "1.2.3", "short form"),
    ("older_than_days=two", "older_than_days", "two", "not a whole number of days"),
    ("has_overrides=maybe", "has_overrides", None, "not yes or no"),
])
def test_a_bad_filter_is_explained_at_its_field_and_keeps_what_was_typed(login, reviewer, queued, query, field,
                                                                        typed, says):
    queued()
    response = login(reviewer).get(f"/review/?{query}")
    assert response.status_code == 422
    error = re.search(rf'<div class="error-text" id="{field}-error">(.*?)</div>', response.text, re.S)
    assert error and says in error.group(1)
    if typed:
        assert re.search(rf'id="{field}"[^>]*value="{re.escape(typed)}"|value="{re.escape(typed)}"[^>]*id="{field}"',
                         response.text)
    assert "<tbody>" not in response.text  # no rows for a filter that could not be read


def test_a_garbled_cursor_is_refused_with_a_message_not_a_500(login, reviewer, queued):
    queued()
    response = login(reviewer).get("/review/?cursor=not-a-cursor")
    assert response.status_code == 422
    assert "is not one this queue gave out" in response.text


def test_next_page_follows_the_keyset_cursor_and_keeps_the_filter(login, reviewer, queued, monkeypatch):
    monkeypatch.setattr(queue_views, "PER_PAGE", 2)
    made = [queued(days_old=days) for days in (5, 4, 3)]
    queued(state=State.FLAGGED, findings=[(0, *ERROR, None)])  # filtered out
    client = login(reviewer)
    first = client.get("/review/?state=ready").text
    assert list(rows(first)) == [made[0].id, made[1].id]
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "state=ready" in next_link and "cursor=" in next_link
    second = client.get(next_link).text
    assert list(rows(second)) == [made[2].id]
    assert 'rel="next"' not in second


def test_batch_selected_makes_a_pending_batch_by_this_reviewer(login, reviewer, queued, db):
    a, b, c = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"]), queued(["39.32.14.0/24"])
    client = login(reviewer)
    response = client.post("/review/batches", data={"ids": [str(a.id), str(c.id)], "back": "/review/?state=ready",
                                                    "note": "Lahore firms"})
    batch = db.session.scalar(select(Batch))
    assert response.headers["Location"] == f"/review/batches/{batch.id}"
    assert batch.state == BatchState.PENDING_APPROVAL and batch.made_by_id == reviewer.id
    assert [x.id for x in batch.applications] == [a.id, c.id] and batch.note == "Lahore firms"
    page = client.get(response.headers["Location"]).text
    assert f"Batch {batch.id} made with 2 applications" in page
    assert f"#{a.id}" in page and f"#{c.id}" in page and f"#{b.id}<" not in page


def test_select_all_matching_batches_every_application_the_filter_matches(login, reviewer, queued, make_applicant_as,
                                                                          db):
    lahore = [queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])]
    queued(applicant=make_applicant_as("Karachi Co", city="Karachi"))
    page = login(reviewer).get("/review/?city=Lahore").text
    assert "Select all 2 matching this filter" in page
    form = page.split('name="scope" value="filter"')[1].split("</form>")[0]
    assert 'name="city" value="Lahore"' in form
    response = login(reviewer).post("/review/batches", data={"scope": "filter", "city": "Lahore"})
    batch = db.session.scalar(select(Batch))
    assert response.status_code == 302 and [x.id for x in batch.applications] == [x.id for x in lahore]


def test_a_refused_batch_goes_back_to_the_queue_naming_each_application(login, reviewer, queued, db):
    ok = queued()
    flagged = queued(state=State.FLAGGED, findings=[(0, *ERROR, None)])
    client = login(reviewer)
    response = client.post("/review/batches", data={"ids": [str(ok.id), str(flagged.id)], "back": "/review/?q=x"})
    assert response.headers["Location"] == "/review/?q=x"
    page = client.get("/review/").text
    assert "Nothing was batched" in page
    assert f"Application {flagged.id} has error findings not overridden (address.too_broad)" in page
    assert db.session.scalar(select(Batch)) is None


def test_batching_nothing_says_how_to_select(login, reviewer, queued):
    queued()
    client = login(reviewer)
    response = client.post("/review/batches", data={"back": "https://evil.example/"})
    assert response.headers["Location"] == "/review/"  # never off the desk
    assert "Select at least one application" in client.get("/review/").text


def test_the_queue_is_keyboard_ready_and_works_without_script(login, reviewer, queued):
    application = queued()
    page = login(reviewer).get("/review/").text
    assert "review-queue.js" in page and "<kbd>j</kbd>" in page and 'aria-describedby="queue-keys"' in page
    # Without JavaScript: a real form, a real checkbox, a real link and a real button.
    assert f'<input type="checkbox" name="ids" value="{application.id}">' in page
    assert 'id="batch-selected"' in page and 'name="csrf_token"' in page


def test_a_long_queue_is_counted_only_up_to_the_cap(login, reviewer, queued, monkeypatch):
    monkeypatch.setattr(queue_views, "COUNT_CAP", 2)
    for days in (5, 4, 3):
        queued(days_old=days)
    page = login(reviewer).get("/review/?state=ready").text
    assert "More than <strong>2</strong> applications match" in page
    monkeypatch.setattr(queue_views, "COUNT_CAP", 3)
    assert "<strong>3</strong> applications match" in login(reviewer).get("/review/?state=ready").text


def test_every_bad_filter_value_is_named_at_once(login, reviewer, queued, api):
    queued()
    query = "older_than_days=abc&has_overrides=maybe&city=" + "x" * 300 + "&state=pending"
    page = login(reviewer).get(f"/review/?{query}").text
    for field, says in (("older_than_days", "'abc' is not a whole number of days"), ("has_overrides", "'maybe' is not"),
                        ("city", "300 characters is too long; at most 200."), ("state", "'pending' is unknown")):
        error = re.search(rf'<div class="error-text" id="{field}-error">(.*?)</div>', page, re.S)
        assert error and says in error.group(1).replace("&#39;", "'"), field
    refused = api(reviewer).get(f"/api/v1/review/queue?{query}")
    assert refused.status_code == 422
    assert set(refused.json["error"]["details"]) == {"older_than_days", "has_overrides", "city", "state"}
    assert refused.json["error"]["message"].startswith("state: 'pending' is unknown; use one of")
