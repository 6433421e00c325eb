"""The whole path of a freelancer on 4G (contract revision 3), through the API and a real worker: a number proven
by SMS, validated, confirmed by its operator (who sees only its part), batched, approved by a second reviewer,
published in that operator's feed and nowhere else, then revoked out of the next version."""
import io
import re

from app.services.isp_organisations import create_isp_user
from tests.applicant.conftest import PDF
from tests.conftest import PASSWORD
from tests.subscriptions.conftest import MOBILE
from tests.subscriptions.test_sms_codes import PURPOSE, _sent_code, _urls

E164 = "+923001234567"
DIGITS = E164.lstrip("+")


def _operator(db, api, organisation: str):
    user = create_isp_user(f"noc@{organisation.lower()}.example.pk", PASSWORD, organisation, name=f"{organisation} NOC")
    db.session.commit()
    return api(user)


def _proven_and_submitted(freelancer, app, run_worker) -> dict:
    draft = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "category": "freelancer_vpn",
                                                          "subscriptions": [MOBILE]}).json
    for kind in ("cnic_front", "cnic_back"):
        freelancer.post(f"/api/v1/applications/{draft['id']}/documents",
                        data={"kind": kind, "file": (io.BytesIO(PDF + kind.encode()), f"{kind}.pdf")})
    code_url, verify_url = _urls(draft)
    assert freelancer.post(code_url).status_code == 202
    assert freelancer.post(verify_url, json={"code": _sent_code(app, run_worker)}).json["verified"] is True
    assert freelancer.post(f"/api/v1/applications/{draft['id']}/submit").status_code == 202
    run_worker()
    return freelancer.get(f"/api/v1/applications/{draft['id']}").json


def test_a_number_goes_from_the_form_to_its_operators_feed_and_out_again(freelancer, app, db, api, make_user,
                                                                         run_worker):
    jazz, ptcl = _operator(db, api, "Jazz"), _operator(db, api, "PTCL")
    shown = _proven_and_submitted(freelancer, app, run_worker)
    assert shown["state"] == "ready", shown["findings"]
    assert "isp.pending" in {f["code"] for f in shown["findings"]}  # until Jazz answers
    (subscription,) = shown["subscriptions"]
    assert (subscription["identifier"], subscription["operator"], subscription["verified"]) == (E164, "Jazz", True)

    # Jazz sees the number and the holder's CNIC to check whose name it is in; PTCL serves no part of it.
    (row,) = jazz.get("/api/v1/isp/confirmations?state=pending").json
    assert row["application_id"] == shown["id"] and row["entries"] == [] and row["cnic"] == "35202-7654321-2"
    assert [(s["kind"], s["identifier"]) for s in row["subscriptions"]] == [("mobile", E164)]
    assert ptcl.get("/api/v1/isp/confirmations?state=pending").json == []
    assert ptcl.post(f"/api/v1/isp/confirmations/{shown['id']}", json={"answer": "confirm"}).status_code == 404
    assert jazz.post(f"/api/v1/isp/confirmations/{shown['id']}", json={"answer": "confirm"}).status_code == 200
    codes = {f["code"] for f in freelancer.get(f"/api/v1/applications/{shown['id']}").json["findings"]}
    assert "isp.pending" not in codes

    maker, checker = api(make_user("reviewer")), api(make_user("reviewer"))
    found = maker.get("/api/v1/review/queue?registration=subscriptions&q=0300%201234567").json["applications"]
    assert [a["id"] for a in found] == [shown["id"]]
    batch = maker.post("/api/v1/batches", json={"application_ids": [shown["id"]]}).json
    approved = checker.post(f"/api/v1/batches/{batch['id']}/approve")
    assert approved.status_code == 200, approved.json
    serial = approved.json["whitelist_serial"]

    assert checker.get("/api/v1/whitelist").json["subscriptions"] == 1
    radius = jazz.get("/api/v1/isp/subscribers/latest.radius")
    assert radius.status_code == 200 and radius.headers["X-Whitelist-Serial"] == str(serial)
    assert re.search(rf'Calling-Station-Id == "{DIGITS}"', radius.text)
    assert 'Filter-Id := "raasta-vpn"' in radius.text
    (listed,) = jazz.get(f"/api/v1/isp/subscribers/{serial}.json").json["subscribers"]
    assert (listed["identifier"], listed["application_id"]) == (E164, shown["id"])
    assert jazz.get("/api/v1/isp/subscribers/latest.radius",
                    headers={"If-None-Match": radius.headers["ETag"]}).status_code == 304
    # Nowhere else: not another organisation's feed, not the public lists.
    assert DIGITS not in ptcl.get("/api/v1/isp/subscribers/latest.csv").text
    for fmt in ("txt", "csv", "json", "ipset", "nft", "cisco", "mikrotik"):
        assert DIGITS not in ptcl.get(f"/api/v1/whitelist/latest.{fmt}").text, fmt

    assert checker.post(f"/api/v1/applications/{shown['id']}/revoke",
                        json={"reason": "The holder gave the number up"}).status_code == 200
    after = jazz.get("/api/v1/isp/subscribers/latest.csv")
    assert int(after.headers["X-Whitelist-Serial"]) == serial + 1 and DIGITS not in after.text
    diff = jazz.get(f"/api/v1/isp/subscribers/diff?from={serial}&to=latest").json
    assert (diff["added"], diff["removed"]) == ([], [E164])
