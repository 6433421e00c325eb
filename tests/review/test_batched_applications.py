"""Applications in a pending batch (issue 21): shown with their batch and never offered again, counted apart,
and refused in pairs that overlap across applicants."""
import re

from app.models import Batch
from tests.review.test_queue_page import rows


def make_batch(client, *applications) -> int:
    response = client.post("/review/batches", data={"ids": [str(a.id) for a in applications]})
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


# --- The queue ---------------------------------------------------------------------------------------------

def test_the_queue_shows_a_batched_application_in_its_batch_without_a_checkbox(login, reviewer, queued):
    batched, free = queued(["39.32.12.0/24"], days_old=2), queued(["39.32.13.0/24"], days_old=1)
    client = login(reviewer)
    batch_id = make_batch(client, batched)
    page = client.get("/review/").text
    found = rows(page)
    assert list(found) == [batched.id, free.id]  # still listed, in queue order
    row = found[batched.id]
    assert f'<a class="badge badge-pending_approval" href="/review/batches/{batch_id}">In batch {batch_id}</a>' in row
    assert 'type="checkbox"' not in row and "Waiting for review" not in row
    assert f"is in batch {batch_id}: take it out of that batch to batch it again" in row  # said to screen readers
    assert f'<input type="checkbox" name="ids" value="{free.id}">' in found[free.id]
    assert "Waiting for review" in found[free.id]
    counts = re.findall(r'state-count-number">(\d+)</span>\s*<span class="state-count-label">([^<]+)<', page)
    assert counts == [("1", "Ready"), ("0", "Flagged"), ("0", "Needs info"), ("0", "Validation failed"),
                      ("1", "In a batch")]
    assert 'href="/review/?batched=yes"' in page
    # "Select all matching" counts, and batches, only what is not in a batch yet.
    assert "<strong>2</strong> applications match" in page
    assert "Batch the one application matching this filter (those already in a batch are left out)" in page


def test_the_batched_filter_on_the_page_and_in_the_api(login, reviewer, queued, api):
    batched, free = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    client = login(reviewer)
    batch_id = make_batch(client, batched)
    in_batches = client.get("/review/?batched=yes")
    assert list(rows(in_batches.text)) == [batched.id]
    assert '<option selected value="yes">In a batch awaiting approval</option>' in in_batches.text
    assert "Select all" not in in_batches.text and "Batch the one" not in in_batches.text  # nothing to offer
    assert 'aria-current="true"' in in_batches.text.split("In a batch</span>")[0].rsplit("<li>", 1)[1]
    assert list(rows(client.get("/review/?batched=no").text)) == [free.id]
    refused = client.get("/review/?batched=maybe")
    assert refused.status_code == 422 and "&#39;maybe&#39; is not yes or no" in refused.text
    body = api(reviewer).get("/api/v1/review/queue").json
    assert [(r["id"], r["batch_id"]) for r in body["applications"]] == [(batched.id, batch_id), (free.id, None)]
    assert body["counts"] == {"ready": 1, "flagged": 0, "needs_info": 0, "validation_failed": 0, "batched": 1}
    assert [r["id"] for r in api(reviewer).get("/api/v1/review/queue?batched=yes").json["applications"]] == [
        batched.id]
    assert [r["id"] for r in api(reviewer).get("/api/v1/review/queue?batched=no").json["applications"]] == [free.id]
    wrong = api(reviewer).get("/api/v1/review/queue?batched=maybe")
    assert wrong.status_code == 422 and set(wrong.json["error"]["details"]) == {"batched"}


def test_select_all_matching_leaves_batched_applications_out(login, reviewer, queued, db):
    batched, free = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    client = login(reviewer)
    first = make_batch(client, batched)
    response = client.post("/review/batches", data={"scope": "filter"})
    assert response.status_code == 302, client.get("/review/").text
    second = db.session.get(Batch, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert second.id != first and [a.id for a in second.applications] == [free.id]


def test_the_dashboards_count_batched_applications_apart(login, reviewer, queued):
    batched, _ = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    client = login(reviewer)
    make_batch(client, batched)
    home = client.get("/dashboard").text
    counts = re.findall(r'state-count-number">(\d+)</span>\s*<span class="state-count-label">([^<]+)<', home)
    assert ("1", "Ready") in counts and ("1", "In a batch") in counts
    charts = client.get("/review/dashboard").text
    assert "1 applications await a reviewer. 1 more are in batches awaiting a second reviewer" in charts


# --- What the applicant reads --------------------------------------------------------------------------------

def test_the_applicant_of_a_batched_application_is_told_it_is_with_the_checker(login, reviewer, queued, as_user):
    application, alone = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    make_batch(login(reviewer), application)
    client = as_user(application.applicant)
    page = client.get(f"/applications/{application.id}").text
    step = page.split('<div class="card next-step"')[1].split("</div>")[0]
    assert "a second reviewer now approves it or sends it back" in step
    assert "It cannot be edited while it waits" in step and "look at it next" not in step
    assert "Correct this application" not in page and "Edit entries and endpoints" not in page
    assert '<span class="badge badge-pending_approval">Awaiting approval</span>' in page.split("</h1>")[0]
    listing = client.get("/applications").text
    assert "Awaiting approval" in listing and "Waiting for review" not in listing
    # One not in a batch reads as before.
    page = as_user(alone.applicant).get(f"/applications/{alone.id}").text
    assert "A reviewer at the regulator will look at it next." in page and "Awaiting approval" not in page


# --- Batching two applicants' overlapping entries ------------------------------------------------------------

def test_batching_two_applicants_claiming_the_same_range_is_409_naming_both(api, make_user, make_reviewable):
    maker = make_user("reviewer")
    one, other = make_reviewable(["39.32.0.0/24"]), make_reviewable(["39.32.0.128/25"])
    refused = api(maker).post("/api/v1/batches", json={"application_ids": [one.id, other.id]})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    assert f"#{one.id}, #{other.id}" in refused.json["error"]["message"]
    details = {d["application_id"]: d["message"] for d in refused.json["error"]["details"]}
    assert f"39.32.0.0/24 overlapping 39.32.0.128/25 of application {other.id}" in details[one.id]
    assert f"39.32.0.128/25 overlapping 39.32.0.0/24 of application {one.id}" in details[other.id]
    assert "batch one of the two" in details[one.id]
    assert api(maker).get("/api/v1/batches").json["batches"] == []
    same_firm = make_reviewable(["39.32.0.0/23"], applicant=one.applicant)
    assert api(maker).post("/api/v1/batches", json={"application_ids": [one.id, same_firm.id]}).status_code == 201


def test_batching_them_from_the_queue_names_both(login, reviewer, queued):
    one, other = queued(["39.32.0.0/24"]), queued(["39.32.0.0/24"])
    client = login(reviewer)
    client.post("/review/batches", data={"ids": [str(one.id), str(other.id)], "back": "/review/"})
    page = client.get("/review/").text
    assert f"2 of the 2 applications cannot be batched: #{one.id}, #{other.id}. Nothing was batched." in page
    assert f"overlapping 39.32.0.0/24 of application {other.id}, another applicant" in page
