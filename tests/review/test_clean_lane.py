"""The clean lane (issue 24): who is in it, in what order and chunks, one click to batch an offer through the page and
the API, and what happens when an offered application stops being clean before the click."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.choices import BatchState, ConfirmationState, FindingCode, Severity, State
from app.models import AuditEvent, Batch, Finding, IspConfirmation
from app.services import Conflict
from app.services.isp_organisations import find_organisation
from app.services.review import batches, clean_lane
from app.services.tokens import issue_token
from tests.racing import ApiCall, at_once_through_own_apps


def lane_ids():
    return [list(offer.application_ids) for offer in clean_lane.lane().offers]


def _confirmation(db, application, state):
    jazz = find_organisation("Jazz")
    db.session.add(IspConfirmation(application_id=application.id, organisation_id=jazz.id, subscriber_id="J-1",
                                   state=state))
    db.session.commit()


def _finding(db, application, code, severity=Severity.WARNING):
    db.session.add(Finding(application_id=application.id, code=code, severity=severity, message=f"{code} on it"))
    db.session.commit()


# --- Who is in the lane -------------------------------------------------------------------------------------

def test_each_disqualifier_keeps_an_application_out_of_the_lane(db, queued, reviewer):
    clean = queued(["39.32.1.0/24"])
    confirmed = queued(["39.32.2.0/24"], findings=[(None, FindingCode.ISP_CONFIRMED, Severity.INFO, None)])
    _confirmation(db, confirmed, ConfirmationState.CONFIRMED)
    queued(["39.32.3.0/24"], state=State.FLAGGED)                                   # not ready
    queued(["39.32.4.0/24"], state=State.NEEDS_INFO)                                # not ready
    _confirmation(db, queued(["39.32.5.0/24"]), ConfirmationState.PENDING)          # operator has not answered
    queued(["39.32.6.0/24"], findings=[(None, FindingCode.ISP_UNCONFIRMED, Severity.INFO, None)])  # ISP off Raasta
    queued(["39.32.7.0/24"], findings=[(None, FindingCode.DOCUMENT_MISSING, Severity.WARNING, None)])
    queued(["39.32.8.0/24"], findings=[(0, FindingCode.OVERLAP_PENDING, Severity.WARNING, None)])
    batched = queued(["39.32.9.0/24"])
    batches.create_batch([batched.id], reviewer)
    db.session.commit()
    assert lane_ids() == [[clean.id, confirmed.id]]
    assert clean_lane.lane().total == 2
    # An info finding is no warning: the application stays clean.
    _finding(db, clean, "geo.asn", Severity.INFO)
    assert lane_ids() == [[clean.id, confirmed.id]]


def test_a_batch_cancelled_gives_its_applications_back_to_the_lane(db, queued, reviewer):
    application = queued()
    batch = batches.create_batch([application.id], reviewer)
    db.session.commit()
    assert lane_ids() == []
    batches.cancel_batch(batch, reviewer)
    db.session.commit()
    assert lane_ids() == [[application.id]]


def test_offers_are_due_soonest_first_in_chunks_of_the_configured_size(app, db, queued):
    newest, middle, oldest = queued(["39.32.1.0/24"], days_old=0), queued(["39.32.2.0/24"], days_old=1), \
        queued(["39.32.3.0/24"], days_old=3)
    late, undated = queued(["39.32.4.0/24"], days_old=5), queued(["39.32.5.0/24"], days_old=9)
    undated.decision_due_at = None  # submitted before the clock: last, whatever its age
    db.session.commit()
    app.config["CLEAN_LANE_BATCH_SIZE"] = 2
    lane = clean_lane.lane()
    assert [list(o.application_ids) for o in lane.offers] == [[late.id, oldest.id], [middle.id, newest.id],
                                                             [undated.id]]
    assert [o.oldest_due_at == a.decision_due_at for o, a in zip(lane.offers, (late, middle))] == [True, True]
    assert [o.late for o in lane.offers] == [True, True, False]  # due 8 h after submission: a day old is late
    assert lane.offers[2].oldest_due_at is None and (lane.total, lane.batch_size) == (5, 2)
    # Past the offers listed, the total still counts them all.
    assert clean_lane.lane(max_offers=1).total == 5 and clean_lane.lane(max_offers=1).offered == 2


# --- One click on the page ----------------------------------------------------------------------------------

def test_the_page_offers_each_chunk_and_one_click_makes_the_batch(app, db, login, reviewer, queued):
    app.config["CLEAN_LANE_BATCH_SIZE"] = 2
    late = queued(["39.32.1.0/24"], days_old=2)
    soon = queued(["39.32.2.0/24"])
    last = queued(["39.32.3.0/24"])
    queued(["39.32.4.0/24"], findings=[(0, FindingCode.OVERLAP_PENDING, Severity.WARNING, None)])
    client = login(reviewer)
    queue = client.get("/review/").text
    assert 'href="/review/clean-lane"' in queue and "Clean lane: batch clean applications" in queue
    page = client.get("/review/clean-lane").text
    assert "3 clean applications." in page
    titles = re.findall(r'<h2 class="offer-title" id="offer-\d">(.*?)</h2>', page, re.S)
    assert re.fullmatch(r"2 clean applications, oldest late by \d+ h <span class=\"badge badge-late\">Late</span>",
                        titles[0]), titles
    assert re.fullmatch(r"1 clean application, due in \d+ (h|min)", titles[1]), titles
    assert f'name="ids" value="{late.id},{soon.id}"' in page and f'name="ids" value="{last.id}"' in page
    assert 'aria-describedby="offer-1">Batch these 2 applications</button>' in page
    response = client.post("/review/clean-lane", data={"ids": f"{late.id},{soon.id}"})
    assert response.status_code == 302
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    batch = db.session.get(Batch, batch_id)
    assert (batch.state, batch.made_by_id, batches.application_ids_of(batch)) == (
        BatchState.PENDING_APPROVAL, reviewer.id, [late.id, soon.id])
    assert batch.note == clean_lane.NOTE.english
    shown = client.get(f"/review/batches/{batch_id}").text
    assert f"Batch {batch_id} made with 2 clean applications. Another reviewer must approve it." in shown
    assert "Made from the clean lane: ready, confirmed by every ISP concerned" in shown
    assert "You made this batch; another reviewer must approve it." in shown  # maker-checker as ever
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "batch.created")).all()
    assert [(e.actor_id, e.data["application_ids"]) for e in created] == [(reviewer.id, [late.id, soon.id])]
    # What is batched leaves the lane; the rest is offered alone.
    assert lane_ids() == [[last.id]]


def test_nothing_clean_says_so_and_a_garbled_or_expired_click_batches_nothing(app, db, login, reviewer, queued):
    queued(findings=[(0, FindingCode.OVERLAP_PENDING, Severity.WARNING, None)])
    client = login(reviewer)
    page = client.get("/review/clean-lane").text
    assert "No clean applications now: every application waiting for review has a warning" in page
    assert 'action="/review/clean-lane"' not in page  # no offer, no button
    garbled = client.post("/review/clean-lane", data={"ids": "1,two"}, follow_redirects=True)
    assert "The offer was garbled; open the clean lane again and press its button." in garbled.text
    empty = client.post("/review/clean-lane", data={"ids": ""}, follow_redirects=True)
    assert "The offer was garbled" in empty.text
    app.config["WTF_CSRF_ENABLED"] = True
    forged = client.post("/review/clean-lane", data={"ids": "1"})
    assert forged.status_code == 400 and "CSRF" in forged.text
    assert db.session.query(Batch).count() == 0


# --- The race: an offer goes stale between the page and the click -----------------------------------------

def test_a_click_batches_only_what_is_still_clean_and_names_the_rest(db, login, reviewer, checker, queued):
    keep, warned, taken, disputed = (queued([f"39.32.{i}.0/24"]) for i in range(1, 5))
    offered = lane_ids()[0]
    assert offered == [keep.id, warned.id, taken.id, disputed.id]
    # Meanwhile: validated again with a warning, batched by another maker, disputed by its operator.
    _finding(db, warned, FindingCode.OTHER_ISP)
    batches.create_batch([taken.id], checker)
    db.session.commit()
    _confirmation(db, disputed, ConfirmationState.DISPUTED)
    client = login(reviewer)
    response = client.post("/review/clean-lane", data={"ids": ",".join(map(str, offered))}, follow_redirects=True)
    assert "Batch 2 made with 1 clean application." in response.text
    assert "3 offered applications were left out: they are no longer clean." in response.text
    assert f"Application {warned.id} has warnings now (entry.other_isp)." in response.text
    assert f"Application {taken.id} was put in batch 1 meanwhile." in response.text
    assert f"Application {disputed.id} is not confirmed by every ISP or operator concerned." in response.text
    assert batches.application_ids_of(db.session.get(Batch, 2)) == [keep.id]


def test_a_click_on_an_offer_gone_stale_entirely_batches_nothing(db, reviewer, queued):
    first, second = queued(["39.32.1.0/24"]), queued(["39.32.2.0/24"])
    offered = lane_ids()[0]
    second.state = State.NEEDS_INFO
    _finding(db, first, FindingCode.DOCUMENT_MISSING)
    with pytest.raises(Conflict) as refused:
        clean_lane.batch_offer(offered, reviewer)
    db.session.rollback()
    assert refused.value.message == "None of the 2 offered applications is still clean; nothing was batched."
    assert [p["message"] for p in refused.value.details] == [
        f"Application {first.id} lacks a document its category needs.",
        f"Application {second.id} is needs info now, no longer waiting for review."]
    assert db.session.query(Batch).count() == 0


def test_two_makers_clicking_the_same_offer_at_once_make_one_batch(app, db, make_user, queued):
    applications = [queued([f"39.32.{i}.0/24"]) for i in range(1, 4)]
    first, second = make_user("reviewer"), make_user("reviewer")
    tokens = [issue_token(first, "lane"), issue_token(second, "lane")]
    db.session.commit()
    ids = [a.id for a in applications]
    statuses = at_once_through_own_apps(app, [ApiCall("post", "/api/v1/review/clean-lane", token,
                                                      {"application_ids": ids}) for token in tokens])
    assert sorted(statuses) == [201, 409]
    db.session.expire_all()
    made = db.session.query(Batch).all()
    assert len(made) == 1 and batches.application_ids_of(made[0]) == ids


# --- The API --------------------------------------------------------------------------------------------------

def test_the_api_lists_offers_and_batches_one(app, db, api, reviewer, checker, queued, make_user):
    app.config["CLEAN_LANE_BATCH_SIZE"] = 2
    late, middle, newest = queued(["39.32.1.0/24"], days_old=2), queued(["39.32.2.0/24"]), \
        queued(["39.32.3.0/24"])
    late.decision_due_at = late.decision_due_at - timedelta(hours=1)
    db.session.commit()
    client = api(reviewer)
    body = client.get("/api/v1/review/clean-lane").json
    assert body["total"] == 3 and body["batch_size"] == 2
    assert [(o["application_ids"], o["count"], o["late"]) for o in body["offers"]] == [
        ([late.id, middle.id], 2, True), ([newest.id], 1, False)]
    assert body["offers"][0]["oldest_due_at"].endswith("+05:00")
    made = client.post("/api/v1/review/clean-lane", json={"application_ids": [late.id, middle.id]})
    assert made.status_code == 201, made.json
    assert (made.json["state"], made.json["application_ids"], made.json["left_out"]) == (
        "pending_approval", [late.id, middle.id], [])
    assert made.json["made_by"]["id"] == reviewer.id and made.json["note"].startswith("Made from the clean lane")
    # Maker-checker unchanged: the maker cannot approve it, the checker can.
    assert client.post(f"/api/v1/batches/{made.json['id']}/approve").status_code == 403
    assert api(checker).post(f"/api/v1/batches/{made.json['id']}/approve").status_code == 200
    again = client.post("/api/v1/review/clean-lane", json={"application_ids": [late.id]})
    assert again.status_code == 409
    assert again.json["error"]["details"] == [
        {"application_id": late.id, "message": f"Application {late.id} is approved now, no longer waiting for review."}]
    assert [o["application_ids"] for o in client.get("/api/v1/review/clean-lane").json["offers"]] == [[newest.id]]


@pytest.mark.parametrize("body, says", [
    ({}, "Give application_ids as a non-empty list of application ids."),
    ({"application_ids": []}, "Give application_ids as a non-empty list of application ids."),
    ({"application_ids": ["7", True]}, "Application ids are whole numbers; these are not: '7', True."),
    ({"application_ids": [1], "note": "x"}, "Unknown field note; batching a clean lane offer takes application_ids."),
])
def test_the_api_refuses_bad_offers_naming_the_input(api, reviewer, body, says):
    response = api(reviewer).post("/api/v1/review/clean-lane", json=body)
    assert response.status_code == 422 and response.json["error"]["message"] == says


def test_an_offer_of_an_unknown_application_is_refused_naming_it(api, reviewer):
    response = api(reviewer).post("/api/v1/review/clean-lane", json={"application_ids": [999]})
    assert response.status_code == 409
    assert response.json["error"]["details"] == [{"application_id": 999,
                                                  "message": "Application 999 does not exist."}]


def test_applicants_cannot_see_or_use_the_lane_and_admins_can(api, make_user, login):
    for user in (make_user("applicant"), make_user("admin")):
        expected = 403 if user.role == "applicant" else 200
        assert api(user).get("/api/v1/review/clean-lane").status_code == expected
    for user in (make_user("applicant"),):
        assert api(user).get("/api/v1/review/clean-lane").status_code == 403
        assert api(user).post("/api/v1/review/clean-lane", json={"application_ids": [1]}).status_code == 403
