"""The applicant tells the reviewer why before anyone asks: a note on the application and on each entry with
findings, on the form and in the API; kept through edits and into a renewal; shown to reviewers beside the
findings, which reviewers read in words written for them."""
import re

from app.models import Application
from tests.applicant.test_web_journey import _profile
from tests.review.conftest import as_user  # noqa: F401 (a fixture)

FORM = {"purpose": "Office VPN to our client", "category": "freelancer_vpn", "entries": "39.32.12.0/24\n10.0.0.0/8",
        "endpoints-0-host": "", "endpoints-0-protocol": "wireguard", "endpoints-0-port": "", "endpoints-0-peer": ""}
NOTE = "Our office and our test lab; the lab range is routed only inside the office."
LAB = "The 10.0.0.0/8 lab is internal; I will remove it if it cannot stay."


def test_notes_are_written_on_the_form_kept_through_edits_and_read_by_the_reviewer(login, make_user, db, api,
                                                                                  as_user):
    applicant = make_user()
    client = login(applicant)
    _profile(client)
    url = client.post("/applications/new", data={**FORM, "applicant_note": NOTE}).headers["Location"]
    application_id = int(re.search(r"/applications/(\d+)", url).group(1))
    page = client.get(url).text
    assert f"Your note to the reviewer:</strong> <span class=\"typed-text\">{NOTE}" in page
    assert f'href="/applications/{application_id}/edit#entry-notes">Tell the reviewer why</a>' in page

    edit = client.get(f"/applications/{application_id}/edit").text  # a box for the flagged entry, not the other
    assert 'Note on <code>10.0.0.0/8</code>' in edit and 'Note on <code>39.32.12.0/24</code>' not in edit
    assert "a special-purpose block that no organisation can be whitelisted for; remove that part." in edit
    assert f"{NOTE}</textarea>" in edit
    saved = client.post(f"/applications/{application_id}/edit", data={
        **FORM, "applicant_note": NOTE, "entry_notes-0-entry": "10.0.0.0/8", "entry_notes-0-note": LAB})
    assert saved.status_code == 302
    application = db.session.get(Application, application_id)
    assert application.applicant_note == NOTE and [e.note for e in application.entries] == [None, LAB]

    # Changing something else keeps them, on the form and through an API script that sends plain entries.
    edit = client.get(f"/applications/{application_id}/edit").text
    assert f"{LAB}</textarea>" in edit
    client.post(f"/applications/{application_id}/edit", data={
        **FORM, "purpose": "Office VPN to our client in Berlin", "applicant_note": NOTE,
        "entry_notes-0-entry": "10.0.0.0/8", "entry_notes-0-note": LAB})
    script = api(applicant)
    body = script.put(f"/api/v1/applications/{application_id}", json={
        "purpose": "Office VPN to our client in Berlin", "entries": ["39.32.12.0/24", "10.0.0.0/8", "39.32.13.0/24"]})
    assert body.status_code == 200, body.json
    assert body.json["note"] == NOTE and [e["note"] for e in body.json["entries"]] == [None, LAB, None]

    reviewer = as_user(make_user(role="reviewer"))
    review = reviewer.get(f"/review/applications/{application_id}").text
    assert f"The applicant's note:</strong> <span class=\"typed-text\">{NOTE}" in review
    row = review[review.index("<code>10.0.0.0/8</code>"):]
    row = row[:row.index("</tr>")]
    assert "The applicant's note:</strong> <span class=\"typed-text\">The 10.0.0.0/8 lab is internal" in row
    # The finding in a reviewer's words: what the applicant is told to do is not the reviewer's advice.
    assert "a special-purpose block that no organisation can be whitelisted for." in row and "remove that part" not in row
    assert "Company VPN application needs" not in review and "upload it before submitting" not in review


def test_the_api_takes_notes_on_the_application_and_on_entries_and_names_what_is_wrong(applicant):
    created = applicant.post("/api/v1/applications", json={
        "purpose": "Office VPN to our client", "note": NOTE,
        "entries": ["39.32.12.0/24", {"input": "39.32.13.0/24", "note": "Lent to us by our client."}]})
    assert created.status_code == 201, created.json
    assert created.json["note"] == NOTE
    assert [e["note"] for e in created.json["entries"]] == [None, "Lent to us by our client."]
    refused = applicant.post("/api/v1/applications", json={
        "purpose": "Office VPN to our client", "note": 5,
        "entries": [{"input": "39.32.12.0/24", "comment": "x"}, {"input": "39.32.13.0/24", "note": "n" * 2001}]})
    assert refused.status_code == 422
    details = refused.json["error"]["details"]
    assert details["note"] == "The note must be text; send it as a string (or null for none)."
    assert [e["index"] for e in details["entries"]] == [0, 1]
    assert "unknown field 'comment'" in details["entries"][0]["message"]
    assert "keep it under 2,000" in details["entries"][1]["message"]
    cleared = applicant.put(f"/api/v1/applications/{created.json['id']}", json={
        "purpose": "Office VPN to our client", "note": None, "entries": [{"input": "39.32.13.0/24", "note": ""}]})
    assert cleared.json["note"] is None and cleared.json["entries"][0]["note"] is None


def test_a_renewal_carries_the_notes(applicant, draft, db, login):
    applicant.put(f"/api/v1/applications/{draft['id']}", json={
        "purpose": draft["purpose"], "note": NOTE, "endpoints": draft["endpoints"],
        "entries": [{"input": e["input"], "note": f"note on {e['input']}"} for e in draft["entries"]]})
    application = db.session.get(Application, draft["id"])
    application.state = "approved"
    db.session.commit()
    login(applicant.user).post(f"/applications/{draft['id']}/renew")
    renewal = db.session.query(Application).filter_by(renewal_of_id=draft["id"]).one()
    assert renewal.applicant_note == NOTE and [e.note for e in renewal.entries] == [
        f"note on {e['input']}" for e in draft["entries"]]
