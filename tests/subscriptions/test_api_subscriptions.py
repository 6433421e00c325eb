"""Applications carry subscriptions (contract revision 3): parsed strictly, stored as E.164, named when refused."""
from sqlalchemy import func, select

from app.choices import MOBILE_OPERATORS, OrganisationKind
from app.models import Application, IspOrganisation, Subscription
from tests.subscriptions.conftest import MOBILE

PURPOSE = "Freelance work for clients abroad over my 4G connection"


def test_the_mobile_operators_exist_from_the_migration(db):
    operators = db.session.scalars(select(IspOrganisation).where(IspOrganisation.kind == OrganisationKind.MOBILE)
                                   .order_by(IspOrganisation.id)).all()
    assert [o.name for o in operators] == list(MOBILE_OPERATORS)


def test_an_application_with_only_a_mobile_number_is_stored_as_e164(freelancer, db):
    response = freelancer.post("/api/v1/applications", json={
        "purpose": PURPOSE, "subscriptions": [{**MOBILE, "operator": "  jazz ", "identifier": "+92 300 1234567"}]})
    assert response.status_code == 201, response.json
    (subscription,) = response.json["subscriptions"]
    assert {k: subscription[k] for k in ("kind", "operator", "identifier", "verified", "findings")} == {
        "kind": "mobile", "operator": "Jazz", "identifier": "+923001234567", "verified": False, "findings": []}
    assert response.json["entries"] == []
    shown = freelancer.get(f"/api/v1/applications/{response.json['id']}").json
    assert shown["subscriptions"] == response.json["subscriptions"]


def test_a_fixed_account_needs_a_fixed_isp_and_a_mobile_number_a_mobile_operator(freelancer, db):
    db.session.add(IspOrganisation(name="PTCL", kind=OrganisationKind.FIXED))
    db.session.commit()
    accepted = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "subscriptions": [
        {"kind": "fixed", "operator": "ptcl", "identifier": "PTCL-0421234567"}]})
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["subscriptions"][0]["identifier"] == "PTCL-0421234567"
    refused = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "subscriptions": [
        {"kind": "mobile", "operator": "PTCL", "identifier": "0300-1234567"},
        {"kind": "fixed", "operator": "Jazz", "identifier": "J-1"}]})
    assert refused.status_code == 422
    first, second = refused.json["error"]["details"]["subscriptions"]
    assert first["errors"]["operator"] == "'PTCL' is not a mobile operator on Raasta; name one of: Jazz, Telenor, Ufone, Zong."
    assert second["errors"]["operator"] == "'Jazz' is not a broadband or fixed-line ISP on Raasta; name one of: PTCL."


def test_bad_subscriptions_are_named_each_and_nothing_is_stored(freelancer, db):
    response = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "subscriptions": [
        MOBILE,
        {**MOBILE, "identifier": "042-35761234"},
        {**MOBILE, "identifier": "+44 20 7946 0958"},
        {**MOBILE, "operator": "Warid"},
        {"kind": "satellite", "operator": "Jazz", "identifier": "1"},
        {**MOBILE, "identifier": "03001234567"},  # the first one again, spelt otherwise
        {**MOBILE, "colour": "red"},
        "0300-7654321",
    ]})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["message"].startswith("Subscription 2: '042-35761234' is a landline or not a mobile number")
    problems = {p["index"]: p["errors"] for p in error["details"]["subscriptions"]}
    assert sorted(problems) == [1, 2, 3, 4, 5, 6, 7]
    assert "'042-35761234' is a landline" in problems[1]["identifier"]
    assert "'+44 20 7946 0958' is not a Pakistani number" in problems[2]["identifier"]
    assert problems[3]["operator"].startswith("'Warid' is not a mobile operator on Raasta; name one of: Jazz")
    assert problems[4]["kind"].startswith("Kind 'satellite' is unknown")
    assert problems[5]["identifier"] == "+923001234567 with Jazz is listed twice; list it once."
    assert problems[6]["colour"] == "Unknown field 'colour'; a subscription takes kind, operator, identifier."
    assert "Subscription 8 is str" in problems[7]["subscription"]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_an_application_needs_an_entry_an_endpoint_or_a_subscription(freelancer):
    response = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "entries": [],
                                                             "subscriptions": []})
    assert response.status_code == 422
    assert "a subscription (your mobile number or broadband account" in response.json["error"]["message"]


def test_editing_keeps_a_subscription_it_still_holds_with_its_proof_and_keeps_all_when_left_out(freelancer, db):
    created = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "subscriptions": [MOBILE]}).json
    subscription = db.session.get(Subscription, created["subscriptions"][0]["id"])
    subscription.verified_at = subscription.created_at  # as if its SMS code was entered
    db.session.commit()
    url = f"/api/v1/applications/{created['id']}"
    edited = freelancer.put(url, json={"purpose": PURPOSE + " and calls", "subscriptions": [
        {**MOBILE, "identifier": "03001234567"}, {**MOBILE, "operator": "Zong", "identifier": "0310-7654321"}]})
    assert edited.status_code == 200, edited.json
    kept, added = edited.json["subscriptions"]
    assert (kept["id"], kept["verified"]) == (subscription.id, True)
    assert (added["identifier"], added["operator"], added["verified"]) == ("+923107654321", "Zong", False)
    left_out = freelancer.put(url, json={"purpose": PURPOSE + " and more calls"})
    assert [s["id"] for s in left_out.json["subscriptions"]] == [kept["id"], added["id"]]
    emptied = freelancer.put(url, json={"purpose": PURPOSE, "subscriptions": [], "entries": []})
    assert emptied.status_code == 422  # nothing left to whitelist


def test_submitting_an_unproven_mobile_number_is_refused_naming_it(freelancer, db):
    created = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "category": "freelancer_vpn",
                                                            "subscriptions": [MOBILE]}).json
    response = freelancer.post(f"/api/v1/applications/{created['id']}/submit")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["message"].startswith("Prove 0300-1234567 with the code we send it by SMS before submitting")
    assert error["details"] == {"unverified": [{"id": created["subscriptions"][0]["id"],
                                                "identifier": "+923001234567"}]}


def test_address_entries_need_the_isp_in_the_profile_to_submit(freelancer, db):
    created = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "category": "freelancer_vpn",
                                                            "entries": ["39.32.12.0/24"]}).json
    response = freelancer.post(f"/api/v1/applications/{created['id']}/submit")
    assert response.status_code == 422
    assert response.json["error"]["message"].startswith("Address entries are confirmed by the ISP of that connection")


def test_an_admin_adds_a_mobile_operator_which_then_serves_mobile_numbers(db, make_user, login, freelancer):
    client = login(make_user(role="admin"))
    page = client.post("/admin/organisations", data={"name": "Onic", "kind": "mobile"}, follow_redirects=True).text
    assert "Mobile operator Onic created." in page and "<td data-label=\"Serves\">Mobile operator</td>" in page
    onic = db.session.scalar(select(IspOrganisation).where(IspOrganisation.name == "Onic"))
    assert onic.kind == OrganisationKind.MOBILE
    response = freelancer.post("/api/v1/applications", json={"purpose": PURPOSE, "subscriptions": [
        {**MOBILE, "operator": "onic"}]})
    assert response.status_code == 201 and response.json["subscriptions"][0]["operator"] == "Onic"
    refused = client.post("/admin/organisations", data={"name": "Other", "kind": "satellite"})
    assert refused.status_code == 200 and "Not a valid choice" in refused.text
