"""Applications in a pending batch (issue 21): shown with their batch and never offered again, counted apart,
refused in pairs that overlap across applicants, taken out one at a time, and a refused approval's next steps."""
import re

import pytest
from sqlalchemy import update

from app import audit
from app.choices import BatchState, State
from app.models import Application, Batch
from app.services.review import batches
from app.services.tokens import issue_token
from tests.racing import ApiCall, at_once_through_own_apps
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
    assert counts == [("0", "Suspended"), ("1", "Ready"), ("0", "Flagged"), ("0", "Needs info"),
                      ("0", "Validation failed"), ("1", "In a batch")]
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
    assert body["counts"] == {"suspended": 0, "ready": 1, "flagged": 0, "needs_info": 0, "validation_failed": 0, "batched": 1}
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
    assert "1 application awaits a reviewer. 1 more is in a batch awaiting a second reviewer" in charts


# --- What the applicant reads --------------------------------------------------------------------------------

def test_the_applicant_of_a_batched_application_is_told_it_is_with_the_checker(login, reviewer, queued, as_user):
    application, alone = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    make_batch(login(reviewer), application)
    client = as_user(application.applicant)
    page = client.get(f"/applications/{application.id}").text
    step = page.split('<div class="card next-step"')[1].split("</div>")[0]
    assert "a second reviewer now approves it or sends it back" in step
    assert "It cannot be edited while it waits" in step and "look at it next" not in step
    assert "Correct this application" not in page and "Edit this application" not in page
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


# --- DELETE /api/v1/batches/{id}/applications/{app_id} -------------------------------------------------------

@pytest.fixture
def pending(db, make_user, make_reviewable):
    """(maker, another reviewer, a pending batch of three applications)."""
    maker, other = make_user("reviewer"), make_user("reviewer")
    applications = [make_reviewable([f"39.32.{i}.0/24"]) for i in range(3)]
    batch = batches.create_batch([a.id for a in applications], maker)
    db.session.commit()
    return maker, other, batch, applications


def test_delete_takes_one_application_out_and_audits_who_and_why(api, pending, db):
    maker, other, batch, (first, second, third) = pending
    response = api(other).delete(f"/api/v1/batches/{batch.id}/applications/{second.id}",
                                 json={"reason": "Its ISP disputed the subscriber id this morning."})
    assert response.status_code == 200
    assert (response.json["id"], response.json["state"], response.json["application_ids"]) == (
        batch.id, "pending_approval", [first.id, third.id])
    bare = api(maker).delete(f"/api/v1/batches/{batch.id}/applications/{third.id}")  # no body: no reason
    assert bare.status_code == 200 and bare.json["application_ids"] == [first.id]
    events = [e for e in audit.timeline(batch) if e.action == "batch.application_removed"]
    assert [(e.actor_id, e.data["application_id"], e.data["reason"]) for e in events] == [
        (other.id, second.id, "Its ISP disputed the subscriber id this morning."), (maker.id, third.id, None)]
    trail = api(other).get(f"/api/v1/audit?subject_type=batch&subject_id={batch.id}").json
    assert "batch.application_removed" in str(trail)
    row = {r["id"]: r for r in api(other).get("/api/v1/review/queue").json["applications"]}[second.id]
    assert (row["state"], row["batch_id"]) == ("ready", None)  # back in the queue, offered again


def test_delete_refusals(api, pending, make_user, make_reviewable, db):
    maker, other, batch, (first, second, third) = pending
    outside = make_reviewable(["39.40.0.0/24"])
    url = f"/api/v1/batches/{batch.id}/applications/"
    absent = api(other).delete(url + str(outside.id))
    assert absent.status_code == 404 and f"Application {outside.id} is not in batch {batch.id}" in \
        absent.json["error"]["message"]
    assert api(other).delete(f"/api/v1/batches/999999/applications/{first.id}").status_code == 404
    applicant = api(first.applicant).delete(url + str(first.id))
    assert applicant.status_code == 403
    assert api(make_user("isp")).delete(url + str(first.id)).status_code == 403
    not_text = api(other).delete(url + str(first.id), json={"reason": 42})
    assert not_text.status_code == 422 and not_text.json["error"]["details"] == {"reason": not_text.json["error"][
        "message"]}
    unknown = api(other).delete(url + str(first.id), json={"why": "typo"})
    assert unknown.status_code == 422 and "why" in unknown.json["error"]["message"]
    api(other).delete(url + str(first.id))
    api(other).delete(url + str(second.id))
    last = api(other).delete(url + str(third.id))
    assert last.status_code == 409 and "cancel the batch instead" in last.json["error"]["message"]
    assert api(other).post(f"/api/v1/batches/{batch.id}/approve").status_code == 200
    published = api(other).delete(url + str(third.id))
    assert published.status_code == 409 and "is published" in published.json["error"]["message"]
    cancelled = batches.create_batch([first.id, second.id], maker)
    batches.cancel_batch(cancelled, maker)
    db.session.commit()
    assert api(other).delete(f"/api/v1/batches/{cancelled.id}/applications/{first.id}").status_code == 409


def test_the_endpoint_is_described(client):
    operation = client.get("/api/v1/openapi.json").json["paths"][
        "/api/v1/batches/{batch_id}/applications/{application_id}"]["delete"]
    assert operation["summary"].startswith("Take one application out of a batch awaiting approval")
    assert operation["requestBody"]["required"] is False
    assert set(operation["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {"reason"}


def test_a_removal_racing_an_approval_never_approves_what_was_removed(app, db, make_user, make_reviewable):
    maker, checker, remover = make_user("reviewer"), make_user("reviewer"), make_user("admin")
    tokens = {user.id: issue_token(user, "race") for user in (checker, remover)}
    db.session.commit()
    for round_ in range(3):
        kept, removed = make_reviewable([f"39.{40 + round_}.0.0/24"]), make_reviewable([f"39.{50 + round_}.0.0/24"])
        batch = batches.create_batch([kept.id, removed.id], maker)
        db.session.commit()
        approval, removal = at_once_through_own_apps(app, [
            ApiCall("post", f"/api/v1/batches/{batch.id}/approve", tokens[checker.id]),
            ApiCall("delete", f"/api/v1/batches/{batch.id}/applications/{removed.id}", tokens[remover.id])])
        db.session.expire_all()
        assert approval == 200 and removal in (200, 409), (approval, removal)
        assert db.session.get(Batch, batch.id).state == BatchState.PUBLISHED
        assert db.session.get(Application, kept.id).state == State.APPROVED
        # Removed first, then the rest approved; or approved first, and the removal refused: never both.
        assert db.session.get(Application, removed.id).state == (State.READY if removal == 200 else State.APPROVED)
        assert (removed.id in batches.application_ids_of(db.session.get(Batch, batch.id))) == (removal == 409)


# --- The batch page: removing, and a refused approval's next steps -------------------------------------------

def test_the_batch_page_removes_one_application_and_says_so(login, reviewer, queued, db):
    first, second = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    client = login(reviewer)
    batch_id = make_batch(client, first, second)
    page = client.get(f"/review/batches/{batch_id}").text
    assert page.count("Remove from batch<span") == 2 and f'name="ids" value="{second.id}"' in page
    response = client.post(f"/review/batches/{batch_id}/remove", data={"ids": str(second.id)})
    assert response.headers["Location"] == f"/review/batches/{batch_id}"
    after = client.get(response.headers["Location"]).text
    assert f"Application #{second.id} taken out of batch {batch_id}: it is back in the queue" in after
    assert "Remove from batch" not in after  # the last one: cancel instead
    db.session.expire_all()
    assert [a.id for a in db.session.get(Batch, batch_id).applications] == [first.id]
    refused = client.post(f"/review/batches/{batch_id}/remove", data={"ids": str(first.id)})
    assert "cancel the batch instead" in client.get(refused.headers["Location"]).text


def test_a_refused_approval_says_what_to_do_next_and_approve_is_no_longer_the_main_button(
        login, reviewer, checker, queued, as_user, db):
    moved, fine = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    batch_id = make_batch(login(reviewer), moved, fine)
    db.session.execute(update(Application).where(Application.id == moved.id).values(state=State.WITHDRAWN))
    db.session.commit()
    client = as_user(checker)
    before = client.get(f"/review/batches/{batch_id}").text
    assert '<button type="submit" class="button" id="approve">' in before
    response = client.post(f"/review/batches/{batch_id}/approve")
    assert response.status_code == 409
    page = response.text
    assert '<button type="submit" class="button button-secondary" id="approve">Approve and publish</button>' in page
    steps = page.split("What to do next")[1].split("</div>\n</div>")[0]
    assert "Take it out of this batch" in steps and "ask the applicant for more information" in steps
    assert "Then approve the rest of the batch" in steps and "cancel the whole batch" in steps
    assert f'<button type="submit" class="button" id="remove-named">Remove #{moved.id} from the batch</button>' in steps
    assert f'name="reason-{moved.id}" value="Approval refused: Application {moved.id} was ready when batched' in steps
    assert "/cancel" in steps
    removed = client.post(f"/review/batches/{batch_id}/remove", data={
        "ids": str(moved.id), f"reason-{moved.id}": f"Approval refused: Application {moved.id} was withdrawn."})
    assert removed.status_code == 302
    [event] = [e for e in audit.timeline(db.session.get(Batch, batch_id)) if e.action == "batch.application_removed"]
    assert event.data["reason"].startswith("Approval refused:") and event.actor_id == checker.id
    assert client.post(f"/review/batches/{batch_id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, fine.id).state == State.APPROVED


def test_when_every_application_is_named_cancelling_is_the_next_step(login, reviewer, checker, queued, as_user, db):
    only = queued(["39.32.12.0/24"])
    batch_id = make_batch(login(reviewer), only)
    db.session.execute(update(Application).where(Application.id == only.id).values(state=State.WITHDRAWN))
    db.session.commit()
    page = as_user(checker).post(f"/review/batches/{batch_id}/approve").text
    steps = page.split("What to do next")[1]
    assert "nothing would be left to approve" in steps and "remove-named" not in steps
    assert '<button type="submit" class="button">Cancel the batch</button>' in steps
    assert 'class="button button-secondary" id="approve"' in page


def test_the_application_page_takes_it_out_of_its_batch_so_a_reviewer_can_ask_for_more(login, reviewer, queued, db):
    application, other = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    client = login(reviewer)
    batch_id = make_batch(client, application, other)
    url = f"/review/applications/{application.id}"
    refused = client.post(f"{url}/request-info", data={"message": "Upload the ISP letter."})
    assert refused.status_code == 409 and "take it out of that batch first" in refused.text
    page = client.get(url).text
    assert f"Remove from batch {batch_id}</button>" in page
    response = client.post(f"/review/batches/{batch_id}/remove", data={"ids": str(application.id), "back": url})
    assert response.headers["Location"] == url
    assert f"Application #{application.id} taken out of batch {batch_id}" in client.get(url).text
    assert client.post(f"{url}/request-info", data={"message": "Upload the ISP letter."}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.NEEDS_INFO
