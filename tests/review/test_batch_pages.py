"""Batch pages: the list, maker-checker approval that publishes, refusals named per application, cancelling."""
import re

from sqlalchemy import select, update

from app.choices import BatchState, State
from app.models import Application, Batch


def make_batch(client, *applications) -> int:
    response = client.post("/review/batches", data={"ids": [str(a.id) for a in applications]})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_the_maker_sees_no_approve_button_and_cannot_approve_by_post(login, reviewer, queued, db):
    client = login(reviewer)
    batch_id = make_batch(client, queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"]))
    page = client.get(f"/review/batches/{batch_id}").text
    assert "You made this batch; another reviewer must approve it." in page
    assert "Approve and publish" not in page and f'/review/batches/{batch_id}/approve' not in page
    response = client.post(f"/review/batches/{batch_id}/approve")
    assert response.status_code == 403
    assert f"You made batch {batch_id}; another reviewer must approve it" in response.text
    assert db.session.get(Batch, batch_id).state == BatchState.PENDING_APPROVAL


def test_a_second_reviewer_approves_and_both_see_the_published_serial(login, reviewer, checker, queued, as_user, db):
    applications = [queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"]), queued(["111.68.96.10"])]
    batch_id = make_batch(login(reviewer), *applications)
    checker_client = as_user(checker)
    page = checker_client.get(f"/review/batches/{batch_id}").text
    assert "Approve and publish" in page and reviewer.name in page and ">3<" in page
    response = checker_client.post(f"/review/batches/{batch_id}/approve")
    assert response.status_code == 302
    batch = db.session.get(Batch, batch_id)
    assert batch.state == BatchState.PUBLISHED and batch.approved_by_id == checker.id and batch.whitelist_serial
    serial = batch.whitelist_serial
    flashed = checker_client.get(response.headers["Location"]).text
    assert f"approved and published as whitelist version {serial}" in flashed
    maker_page = login(reviewer).get(f"/review/batches/{batch_id}").text
    assert re.search(rf"Published as whitelist version <strong>{serial}</strong>", maker_page)
    assert f'href="/api/v1/whitelist/{serial}.txt"' in maker_page
    db.session.expire_all()
    assert {a.state for a in db.session.scalars(select(Application))} == {State.APPROVED}
    listing = login(reviewer).get("/review/batches").text.split("Recently published")[1]
    assert f"Batch {batch_id}" in listing and f"<strong>{serial}</strong>" in listing


def test_a_refused_approval_names_each_application_and_approves_nothing(login, reviewer, checker, queued, as_user,
                                                                       db):
    moved, fine = queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"])
    batch_id = make_batch(login(reviewer), moved, fine)
    db.session.execute(update(Application).where(Application.id == moved.id).values(state=State.WITHDRAWN))
    db.session.commit()
    response = as_user(checker).post(f"/review/batches/{batch_id}/approve")
    assert response.status_code == 409
    problems = response.text.split('<ul class="problem-list">')[1].split("</ul>")[0]
    assert f"Application {moved.id} was ready when batched and is withdrawn now" in problems
    assert f'href="/review/applications/{moved.id}"' in problems
    assert f"Application {fine.id}" not in problems
    db.session.expire_all()
    assert db.session.get(Application, fine.id).state == State.READY
    assert db.session.get(Batch, batch_id).state == BatchState.PENDING_APPROVAL


def test_the_list_shows_pending_batches_with_maker_and_size(login, reviewer, queued):
    client = login(reviewer)
    batch_id = make_batch(client, queued(["39.32.12.0/24"]), queued(["39.32.13.0/24"]), queued(["39.32.14.0/24"]))
    pending = client.get("/review/batches").text.split("Awaiting approval")[1].split("Recently published")[0]
    row = pending.split(f"Batch {batch_id}</a>")[1].split("</tr>")[0]
    assert "yours" in row and reviewer.name in row and ">3<" in row and " PKT" in row


def test_cancelling_returns_the_applications_to_the_queue(login, reviewer, queued, db):
    application = queued()
    client = login(reviewer)
    batch_id = make_batch(client, application)
    response = client.post(f"/review/batches/{batch_id}/cancel")
    assert response.headers["Location"] == "/review/batches"
    assert db.session.get(Batch, batch_id).state == BatchState.CANCELLED
    assert f"Batch {batch_id} cancelled" in client.get("/review/batches").text
    assert "Add to a new batch" in client.get(f"/review/applications/{application.id}").text
