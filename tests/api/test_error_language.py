"""API errors follow the request's Accept-Language: the `message` in Urdu for `ur`, the `code` never changes,
and without the header the English is exactly what it always was."""
import re

import pytest

URDU = re.compile(r"[\u0600-\u06FF]")
FSI, PDI = "\u2068", "\u2069"
BAD_ENTRY = {"purpose": "VPN to our client in Germany", "entries": ["39.32.12.5/24"]}


@pytest.fixture
def applicant(api, make_user):
    return api(make_user(role="applicant"))


def test_a_refused_entry_reads_in_urdu_with_the_same_codes(applicant):
    english = applicant.post("/api/v1/applications", json=BAD_ENTRY)
    urdu = applicant.post("/api/v1/applications", json=BAD_ENTRY, headers={"Accept-Language": "ur"})
    assert english.status_code == urdu.status_code == 422
    assert english.json["error"]["message"] == "Unparseable entries: '39.32.12.5/24'."
    [entry] = english.json["error"]["details"]["entries"]
    assert entry["message"] == "'39.32.12.5/24' has host bits set after the prefix; did you mean 39.32.12.0/24?"

    error = urdu.json["error"]
    assert error["code"] == english.json["error"]["code"] == "invalid"
    assert URDU.search(error["message"]) and "Unparseable" not in error["message"]
    [urdu_entry] = error["details"]["entries"]
    assert urdu_entry["code"] == entry["code"] == "syntax.host_bits"
    assert URDU.search(urdu_entry["message"])
    # The address keeps its order inside the right-to-left sentence: isolated, as typed.
    assert f"{FSI}'39.32.12.5/24'{PDI}" in urdu_entry["message"] and f"{FSI}39.32.12.0/24{PDI}" in urdu_entry["message"]


def test_a_missing_application_and_a_bad_body_read_in_urdu(applicant):
    english = applicant.get("/api/v1/applications/999999")
    urdu = applicant.get("/api/v1/applications/999999", headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5"})
    assert english.status_code == urdu.status_code == 404
    assert english.json["error"] == {"code": "not_found", "message": "No application 999999 that you can see.",
                                     "details": None}
    assert urdu.json["error"]["code"] == "not_found" and URDU.search(urdu.json["error"]["message"])

    english = applicant.post("/api/v1/applications", data="[1]", content_type="application/json")
    urdu = applicant.post("/api/v1/applications", data="[1]", content_type="application/json",
                          headers={"Accept-Language": "ur"})
    assert english.status_code == urdu.status_code == 400
    assert english.json["error"]["message"] == 'The body is a JSON list, not an object; send {"field": value, ...}.'
    assert urdu.json["error"]["code"] == english.json["error"]["code"] == "bad_request"
    assert URDU.search(urdu.json["error"]["message"])


@pytest.mark.parametrize("accepted", ["en", "en-GB", "fr-FR,fr;q=0.9"])
def test_english_or_a_language_we_do_not_speak_is_english(applicant, accepted):
    response = applicant.post("/api/v1/applications", json=BAD_ENTRY, headers={"Accept-Language": accepted})
    assert response.json["error"]["message"] == "Unparseable entries: '39.32.12.5/24'."
