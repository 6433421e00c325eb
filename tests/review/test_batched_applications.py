"""Applications in a pending batch (issue 21): two applicants' overlapping entries are refused at batching."""


def make_batch(client, *applications) -> int:
    response = client.post("/review/batches", data={"ids": [str(a.id) for a in applications]})
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


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
