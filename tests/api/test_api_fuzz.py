"""Property-based fuzz of every JSON request body the OpenAPI document declares: whatever arrives, the API
answers it without a 5xx (issue 11: "never a 500 for bad input").

The bodies come from the document itself: objects with the declared property names (and stray ones),
each holding a value of any JSON type, nested, including NUL bytes, huge numbers and lone surrogates;
and bodies that are not objects at all. Each is sent as the role that may call the endpoint, against a
real application of that user, so the request gets past authorisation into the handler's own checks.
"""
import io
import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.choices import Role, State
from app.models import Invitation, IspOrganisation, Subscription
from app.services.fees.callbacks import signature
from app.services.sponsors.invitations import token_for

CALLBACK_SECRET = "fuzz-callback-secret"

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70), st.floats(allow_nan=False),
    st.text(max_size=40), st.sampled_from(["", "\x00", "\ud800", "39.32.12.0/24", "0300.0.0.1", "x" * 5000]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                           max_size=4), max_leaves=12)


def _json_bodies(app) -> list[tuple[str, str, list[str]]]:
    with app.test_client() as client:
        document = client.get("/api/v1/openapi.json").json
    bodies = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                bodies.append((method, path, sorted(content["application/json"]["schema"].get("properties", {}))))
    return bodies


def _bodies(properties: list[str]):
    declared = st.fixed_dictionaries({}, optional={name: VALUES for name in properties + ["stray"]})
    return st.one_of(declared, VALUES)


# Who calls each path: reviewers decide (on applications and on sponsors), ISPs answer confirmations, sponsors
# keep their own details, a payment aggregator calls back (signed, no token), applicants the rest (a member
# answering an invitation included).
def _role(path: str) -> str:
    if path.startswith("/api/v1/isp/"):
        return Role.ISP
    if path.endswith(("/notes", "/override", "/reject", "/request-info", "/revoke", "/reinstate")) \
            or path.startswith(("/api/v1/batches", "/api/v1/sponsors/")):
        return Role.REVIEWER
    if path.startswith("/api/v1/sponsor/") and not path.startswith("/api/v1/sponsor/invitations/"):
        return Role.SPONSOR
    return Role.APPLICANT


def _invitation_token(db, api, sponsor_user, email: str) -> str:
    """A real invitation to `email` from an approved sponsor, made through the member file as a sponsor would."""
    member_file = ("name,cnic,email,mobile,operator,isp,subscriber_id,addresses,purpose\n"
                   f"Sana Iqbal,35202-9876543-1,{email},,,,,39.32.40.0/24,VPN to our client in Dubai\n")
    response = api(sponsor_user).post("/api/v1/sponsor/imports", content_type="multipart/form-data",
                                      data={"file": (io.BytesIO(member_file.encode()), "members.csv")})
    assert response.status_code == 201, response.json
    return token_for(db.session.scalar(select(Invitation.id).where(Invitation.email == email)), email)


def test_no_json_body_makes_the_api_answer_5xx(app, db, make_user, make_applicant, make_reviewable, make_sponsor, api):
    app.config["PAYMENT_CALLBACK_SECRET"] = CALLBACK_SECRET
    owner = make_applicant()
    application = make_reviewable(["39.32.12.0/24"], state=State.FLAGGED, applicant=owner,
                                  findings=[("address.too_broad", "error")])
    pending_sponsor, pending_sponsor_user = make_sponsor(approved=False)  # approve and suspend judge its bodies
    _inviter, inviter_user = make_sponsor()
    token = _invitation_token(db, api, inviter_user, owner.email)
    clients = {Role.APPLICANT: api(owner), Role.REVIEWER: api(make_user(role=Role.REVIEWER)),
               Role.ISP: api(make_user(role=Role.ISP)), Role.SPONSOR: api(pending_sponsor_user)}
    # A pending batch, for the paths about one application in one batch.
    batched = make_reviewable(["39.32.14.0/24"], applicant=owner)
    batch_id = clients[Role.REVIEWER].post("/api/v1/batches", json={"application_ids": [batched.id]}).json["id"]
    # A mobile number on the owner's application, for the paths about one of its subscriptions (its SMS code).
    jazz = db.session.scalar(select(IspOrganisation.id).where(IspOrganisation.name == "Jazz"))
    number = Subscription(application_id=application.id, kind="mobile", organisation_id=jazz,
                          identifier="+923001234567")
    db.session.add(number)
    db.session.commit()
    bodies = _json_bodies(app)
    assert len(bodies) >= 12  # every JSON body of the contract, and any added since
    for method, path, properties in bodies:
        answered = set()
        in_batch = "{batch_id}" in path
        url = path.replace("{batch_id}", str(batch_id)).replace(
            "{application_id}", str(batched.id if in_batch else application.id)).replace(
            "{subscription_id}", str(number.id)).replace("{sponsor_id}", str(pending_sponsor.id)).replace(
            "{token}", token)
        client = clients[_role(path)]

        @settings(max_examples=40, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
        @given(body=_bodies(properties))
        def answers_without_5xx(body):
            raw = json.dumps(body, ensure_ascii=True)  # lone surrogates travel as \\ud800 escapes, as clients send them
            signed = {}
            if path == "/api/v1/payments/callback":  # the aggregator's signature is its authorisation
                timestamp = str(int(time.time()))
                signed = {"X-Payment-Timestamp": timestamp,
                          "X-Payment-Signature": signature(CALLBACK_SECRET, timestamp, raw.encode())}
            response = getattr(client, method)(url, data=raw, content_type="application/json", headers=signed)
            assert response.status_code < 500, f"{method.upper()} {path} {raw[:300]} -> {response.status_code}"
            answered.add(response.status_code)
            db.session.rollback()

        answers_without_5xx()
        # The handler itself judged the bodies (400/409/422...), not only authorisation in front of it.
        assert answered - {401, 403, 404}, f"{method.upper()} {path} never got past authorisation: {answered}"
