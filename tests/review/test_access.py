"""Only reviewers and admins reach the desk; everyone else is refused, anonymous visitors sent to sign in."""
import re

import pytest

from tests.review.conftest import PDF

PAGES = ["/review/", "/review/dashboard", "/review/batches", "/review/applications/{application}",
         "/review/batches/{batch}", "/review/applications/{application}/documents/{document}/inline"]
POSTS = ["/review/batches", "/review/applications/{application}/reject", "/review/applications/{application}/notes",
         "/review/batches/{batch}/approve", "/review/batches/{batch}/cancel"]


@pytest.fixture
def ids(login, make_user, queued, as_user):
    application = queued(documents=[("ntn_certificate", "ntn.pdf", "application/pdf", PDF)])
    made = as_user(make_user("reviewer")).post("/review/batches", data={"ids": str(queued().id)})
    batch = made.headers["Location"].rsplit("/", 1)[1]
    return {"application": application.id, "batch": batch, "document": application.documents[0].id}


@pytest.mark.parametrize("role, status", [("applicant", 403), ("isp", 403), ("reviewer", 200), ("admin", 200)])
def test_pages_by_role(login, make_user, ids, role, status):
    client = login(make_user(role))
    assert {page: client.get(page.format(**ids)).status_code for page in PAGES} == dict.fromkeys(PAGES, status)


@pytest.mark.parametrize("role", ["applicant", "isp"])
def test_decisions_are_refused_to_other_roles(login, make_user, ids, role):
    client = login(make_user(role))
    statuses = {url: client.post(url.format(**ids), data={"reason": "x", "body": "x"}).status_code for url in POSTS}
    assert statuses == dict.fromkeys(POSTS, 403)


def test_anonymous_visitors_are_sent_to_sign_in(client, ids):
    for page in PAGES + POSTS:
        url = page.format(**ids)
        response = client.post(url) if page in POSTS else client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in"), page


def test_a_reviewer_starts_from_the_queue_counts(login, make_user, queued):
    queued(), queued()
    page = login(make_user("reviewer")).get("/dashboard").text
    assert 'href="/review/?state=ready&amp;batched=no"' in page and 'state-count-number">2<' in page
    nav = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert re.search(r'href="/review/"[^>]*>Queue</a>', nav) and re.search(r'href="/review/batches"[^>]*>Batches', nav)
