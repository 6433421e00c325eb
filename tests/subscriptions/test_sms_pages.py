"""The applicant's pages for subscriptions: numbers and accounts on the draft form (each refused one named beside
its row), and on the application's page the one step that proves a mobile number: send a code, type it, verified;
submit waits for it, linking to the step."""
import html
import io
import re

from sqlalchemy import select

from app.choices import State
from app.models import Application, IspOrganisation, Subscription
from tests.applicant.conftest import PDF
from tests.subscriptions.conftest import FREELANCER
from tests.subscriptions.test_sms_codes import _code_in, _sms_files

FORM = {"purpose": "Freelance work for clients abroad over my 4G connection", "category": "freelancer_vpn",
        "entries": "", "subscriptions_shown": "1",
        "mobile_numbers-0-identifier": "0300 1234567", "mobile_numbers-0-operator": "Jazz",
        "broadband_accounts-0-identifier": "", "broadband_accounts-0-operator": "",
        "endpoints-0-host": "", "endpoints-0-protocol": "wireguard", "endpoints-0-port": "", "endpoints-0-peer": ""}


def _signed_in_freelancer(make_user, api, login, cnic="35202-7654321-2"):
    user = make_user(role="applicant")
    assert api(user).put("/api/v1/profile", json={**FREELANCER, "cnic": cnic}).status_code == 200
    return login(user)


def _new(client, **fields):
    response = client.post("/applications/new", data={**FORM, **fields})
    assert response.status_code == 302, response.text
    return int(re.search(r"/applications/(\d+)", response.headers["Location"]).group(1))


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.text))


def _words(response) -> str:
    """What a reader sees: the page's text without its tags."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def test_the_draft_form_takes_numbers_and_accounts_and_names_each_refused_one(make_user, api, login, db):
    db.session.add(IspOrganisation(name="PTCL", kind="fixed"))
    db.session.commit()
    client = _signed_in_freelancer(make_user, api, login)
    page = client.get("/applications/new", follow_redirects=True).text
    assert 'name="mobile_numbers-0-identifier"' in page and '<option value="Jazz">Jazz</option>' in page
    assert '<option value="PTCL">PTCL</option>' in page.split('<select id="broadband_accounts-0-operator"')[1]
    refused = client.post("/applications/new", data={
        **FORM, "mobile_numbers-0-identifier": "042-35761234", "mobile_numbers-1-identifier": "0301-7654321",
        "mobile_numbers-1-operator": "", "broadband_accounts-0-identifier": "PTCL-0421234567",
        "broadband_accounts-0-operator": "PTCL"})
    assert refused.status_code == 200
    text = _words(refused)
    assert "Mobile number 1 · Number: '042-35761234' is a landline or not a mobile number" in text
    assert "Mobile number 2 · Operator: Name the mobile operator that serves it: one of Jazz, Telenor, Ufone, Zong." \
        in text
    assert 'value="042-35761234"' in refused.text and 'value="PTCL-0421234567"' in refused.text  # nothing lost
    assert db.session.scalar(select(Application.id)) is None

    application_id = _new(client, **{"broadband_accounts-0-identifier": "PTCL-0421234567",
                                     "broadband_accounts-0-operator": "PTCL"})
    stored = db.session.scalars(select(Subscription).order_by(Subscription.position)).all()
    assert [(s.kind, s.organisation.name, s.identifier) for s in stored] == [
        ("mobile", "Jazz", "+923001234567"), ("fixed", "PTCL", "PTCL-0421234567")]
    edit = client.get(f"/applications/{application_id}/edit").text
    assert 'value="0300-1234567"' in edit and 'value="PTCL-0421234567"' in edit


def test_editing_keeps_a_proven_number_and_an_old_form_keeps_them_all(make_user, api, login, db):
    client = _signed_in_freelancer(make_user, api, login)
    application_id = _new(client)
    subscription = db.session.scalar(select(Subscription))
    subscription.verified_at = subscription.created_at
    db.session.commit()
    edit = client.post(f"/applications/{application_id}/edit", data={
        **FORM, "purpose": FORM["purpose"] + " and calls", "mobile_numbers-0-identifier": "+92 300 1234567",
        "mobile_numbers-1-identifier": "0310-7654321", "mobile_numbers-1-operator": "Zong"})
    assert edit.status_code == 302, _text(edit)
    db.session.expire_all()
    kept, added = db.session.scalars(select(Subscription).order_by(Subscription.position)).all()
    assert (kept.id, kept.verified) == (subscription.id, True) and (added.identifier, added.verified) == (
        "+923107654321", False)
    older = {k: v for k, v in FORM.items() if not k.startswith(("mobile_", "broadband_", "subscriptions_"))}
    client.post(f"/applications/{application_id}/edit", data={**older, "purpose": FORM["purpose"] + " only"})
    db.session.expire_all()
    assert len(db.session.scalars(select(Subscription)).all()) == 2


def test_without_javascript_add_another_number_comes_back_with_a_row_more(make_user, api, login, db):
    client = _signed_in_freelancer(make_user, api, login)
    page = client.post("/applications/new?form=" + "a" * 32, data={**FORM, "add_mobile_number": "Add another number"})
    assert page.status_code == 200
    assert 'value="0300 1234567"' in page.text and 'name="mobile_numbers-1-identifier"' in page.text
    assert "<legend>Mobile number 2</legend>" in page.text
    assert db.session.scalar(select(Application.id)) is None


def test_the_code_step_from_send_to_verified_then_submit(make_user, api, login, app, db, run_worker):
    client = _signed_in_freelancer(make_user, api, login)
    application_id = _new(client)
    for kind in ("cnic_front", "cnic_back"):
        client.post(f"/applications/{application_id}/documents", content_type="multipart/form-data",
                    data={"kind": kind, "file": (io.BytesIO(PDF + kind.encode()), f"{kind}.pdf")})
    subscription_id = db.session.scalar(select(Subscription.id))
    response = client.get(f"/applications/{application_id}")
    page, words = _text(response), _words(response)
    assert '<span class="user-text">0300-1234567</span> <span class="muted">— Jazz</span>' in page
    assert "Not proven yet: prove it is yours with the code we send it by SMS." in words
    assert "Send a code to 0300-1234567" in words
    assert "Before you can submit: prove 0300-1234567 with the code we send it by SMS" in words
    assert f'<a class="button" id="submit-needs" href="#subscription-{subscription_id}">Prove 0300-1234567 to ' \
           'submit</a>' in page
    assert "Submit for checks" not in page

    base = f"/applications/{application_id}/subscriptions/{subscription_id}"
    sent = client.post(base + "/code")
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"#subscription-{subscription_id}")
    response = client.get(f"/applications/{application_id}")
    page, words = _text(response), _words(response)
    assert "A code is on its way to 0300-1234567 by SMS: type it below when it arrives. It works for 10 minutes." \
        in words
    assert "We sent a code to 0300-1234567 by SMS at" in words and 'autocomplete="one-time-code"' in page
    assert re.search(r'data-resend-in="(5\d|60)" aria-describedby="resend-\d+" disabled>Send a new code', page)
    assert re.search(r"You can ask for another code at \d\d:\d\d:\d\d PKT \(in (5\d|60) seconds\): reload the page "
                     "then.", words)
    assert client.post(base + "/code").status_code == 302  # too soon: said, and nothing sent
    assert "A code was sent to 0300-1234567 less than a minute ago" in _words(client.get(
        f"/applications/{application_id}"))

    run_worker()
    code = _code_in(_sms_files(app)[0])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = client.post(base + "/verify", data={"code": wrong})
    assert refused.status_code == 422
    assert "That is not the code we sent to 0300-1234567: check the SMS and type it again (4 tries left)." in \
        _words(refused)
    assert f'value="{wrong}"' in refused.text  # what was typed stays in the box

    verified = client.post(base + "/verify", data={"code": code})
    assert verified.status_code == 302
    response = client.get(f"/applications/{application_id}")
    words = _words(response)
    assert "0300-1234567 is proven: it is yours to register." in words and "✓ Proven by its SMS code" in words
    assert "Mobile number proven by its SMS code: 0300-1234567" in words  # the timeline
    assert "Submit for checks" in words and "submit-needs" not in response.text
    assert client.post(f"/applications/{application_id}/submit").status_code == 302
    assert db.session.get(Application, application_id).state == State.VALIDATING


def test_another_applicants_number_is_not_found_on_the_pages(make_user, api, login, db):
    client = _signed_in_freelancer(make_user, api, login)
    application_id = _new(client)
    subscription_id = db.session.scalar(select(Subscription.id))
    client.post("/sign-out")
    _signed_in_freelancer(make_user, api, login, cnic="35202-1111111-1")
    base = f"/applications/{application_id}/subscriptions/{subscription_id}"
    for url in (base + "/code", base + "/verify"):
        response = client.post(url, data={"code": "123456"})
        assert response.status_code == 404 and "0300" not in response.text
