"""The draft form and page: no phantom endpoint, Enter saves, every error at once, problems found on save
in the queue's own words, category defaults, deleting a draft and withdrawing after a confirmation."""
import io
import re
from html.parser import HTMLParser

from sqlalchemy import func, select

from app.addresses import classify, parse_entry
from app.models import AddressEntry, Application, AuditEvent, Document
from app.services import document_store
from app.services.profiles import ProfileInput, save_profile
from tests.applicant.conftest import PDF
from tests.conftest import PASSWORD
from tests.applicant.test_web_journey import _profile

FORM = {"purpose": "Client VPN", "category": "freelancer_vpn", "entries": "39.32.12.0/24",
        "endpoints-0-host": "", "endpoints-0-protocol": "wireguard", "endpoints-0-port": "", "endpoints-0-peer": ""}


def _new(client, **overrides):
    return client.post("/applications/new", data={**FORM, **overrides})


def _id(response) -> int:
    return int(re.search(r"/applications/(\d+)", response.headers["Location"]).group(1))


def _submittable(client) -> int:
    """A freelancer's draft with both CNIC sides uploaded."""
    application_id = _id(_new(client))
    for kind in ("cnic_front", "cnic_back"):
        client.post(f"/applications/{application_id}/documents", data={
            "kind": kind, "file": (io.BytesIO(PDF + kind.encode()), f"{kind}.pdf")}, content_type="multipart/form-data")
    return application_id


class _Submits(HTMLParser):
    """The submit buttons of the first <form method="post" enctype=...> on a page, in document order."""

    def __init__(self):
        super().__init__()
        self.buttons, self.inside = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("enctype") == "multipart/form-data":
            self.inside = True
        elif self.inside and attrs.get("type") == "submit":
            self.buttons.append(attrs.get("name"))

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "form"


def test_editing_shows_the_endpoints_and_no_blank_one_above_them(login, make_user, db):
    client = login(make_user())
    _profile(client)
    created = _new(client, **{"endpoints-0-host": "vpn.a.pk", "endpoints-0-port": "500", "add_endpoint": None})
    application_id = _id(created)
    client.post(f"/applications/{application_id}/edit", data={
        **FORM, "endpoints-0-host": "vpn.a.pk", "endpoints-0-port": "500",
        "endpoints-1-host": "vpn.b.pk", "endpoints-1-protocol": "ipsec", "endpoints-1-port": "", "endpoints-1-peer": ""})
    page = client.get(f"/applications/{application_id}/edit").text
    assert re.findall(r'name="endpoints-(\d+)-host"[^>]*value="([^"]*)"', page) == [("0", "vpn.a.pk"), ("1", "vpn.b.pk")]
    assert page.count("<legend>Endpoint") == 2


def test_enter_in_any_field_presses_save_first(login, make_user):
    client = login(make_user())
    _profile(client)
    parser = _Submits()
    parser.feed(client.get("/applications/new", follow_redirects=True).text)
    assert parser.buttons[0] == "save" and "add_endpoint" in parser.buttons


def test_the_summary_lists_every_bad_line_and_every_bad_field(login, make_user, db):
    client = login(make_user())
    _profile(client)
    page = _new(client, purpose="", entries="39.32.12.0/24\n0300.0.0.1\n39.32.13.5/24\n1.2.3",
                **{"endpoints-0-host": "vpn.a.pk", "endpoints-0-port": "99999"}).text
    summary = page[page.index('class="error-summary"'):page.index("</div>", page.index('class="error-summary"'))]
    assert "Please fix these 5 before continuing" in summary
    for text in ("What is the whitelisting for?: Say in a sentence", "Line 2: &#39;0300.0.0.1&#39; has a number above 255",
                 "Line 3: &#39;39.32.13.5/24&#39; has host bits", "Line 4: &#39;1.2.3&#39; is a short form",
                 'href="#endpoints-0-port">Endpoint 1 · Port: Port &#39;99999&#39;'):
        assert text in summary
    assert "300.0.0.1?" not in page  # no suggestion that would itself be refused


def test_saving_finds_the_problems_the_queue_would_in_its_words(login, make_user, db, app):
    client = login(make_user())
    _profile(client)
    response = _new(client, entries="39.32.12.0/24\n10.0.0.0/8\n39.32.12.128/25")
    application = db.session.get(Application, _id(response))
    found = {}
    for f in application.findings:
        entry = next((e.input for e in application.entries if e.id == f.entry_id), None)
        found.setdefault((entry, f.code), f.message)
    queue_words = {f.code: f.message for f in classify(parse_entry("10.0.0.0/8"), app.config["MAX_PREFIX_V4"],
                                                          app.config["MAX_PREFIX_V6"])}
    assert found[("10.0.0.0/8", "address.special_purpose")] == queue_words["address.special_purpose"]
    assert found[("10.0.0.0/8", "address.too_broad")] == queue_words["address.too_broad"]
    assert "ask a reviewer" not in queue_words["address.too_broad"]  # special-purpose space cannot be allowed
    assert ("39.32.12.128/25", "entry.duplicate") in found
    assert found[(None, "document.missing")].startswith("The CNIC (front) this category needs is missing")
    assert not any(code.startswith("geo.") for _, code in found)  # country and ASN wait for the queue
    page = client.get(f"/applications/{application.id}").text
    assert '<span class="badge badge-error">2 problems to fix</span>' in page
    row = page[page.index("<code>10.0.0.0/8</code>"):page.index("<code>39.32.12.128/25</code>")]
    assert "special-purpose block" in row and "holds 16,777,216 addresses" in row


def test_the_category_starts_from_the_profile_and_ntn_categories_are_explained(login, make_user, db):
    firm, freelancer = make_user(), make_user()
    save_profile(firm, ProfileInput(kind="firm", name="F", city="Lahore", ntn="1234567-8", isp_name="PTCL",
                                    isp_subscriber_id="1"))
    db.session.commit()
    client = login(firm)
    assert '<option selected value="company_vpn">' in client.get("/applications/new", follow_redirects=True).text
    client.post("/sign-out")
    client = login(freelancer)
    _profile(client)
    page = client.get("/applications/new", follow_redirects=True).text
    assert '<option selected value="freelancer_vpn">' in page
    assert re.search(r'id="category-ntn-note" data-ntn-categories="company_vpn call_center video_conferencing"\s+hidden',
                     page)
    chose = _new(client, category="company_vpn", entries="1.2.3").text  # back with an error: the note shows
    assert re.search(r'id="category-ntn-note"[^>]*>\s*<span class="category-name">Company VPN</span> needs\s+an NTN',
                     chose)


def test_an_unchanged_save_records_nothing(login, make_user, db):
    client = login(make_user())
    _profile(client)
    application_id = _id(_new(client))
    page = client.post(f"/applications/{application_id}/edit", data=FORM, follow_redirects=True).text
    assert "Nothing had changed, so nothing was saved." in page
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == str(application_id))).all()
    assert "application.edited" not in actions


def test_a_draft_is_deleted_after_a_confirmation(login, make_user, db, app):
    client = login(make_user())
    _profile(client)
    application_id = _id(_new(client))
    client.post(f"/applications/{application_id}/documents", data={
        "kind": "cnic_front", "file": (io.BytesIO(PDF), "cnic.pdf")}, content_type="multipart/form-data")
    stored = db.session.scalar(select(Document.sha256))
    assert document_store.exists(stored)
    page = client.get(f"/applications/{application_id}").text
    assert f'href="/applications/{application_id}/delete">Delete draft</a>' in page and "Withdraw" not in page
    confirm = client.get(f"/applications/{application_id}/delete").text
    assert "<h1>Delete the draft?</h1>" in confirm and ">Delete the draft</button>" in confirm
    assert db.session.get(Application, application_id) is not None  # asking deletes nothing

    done = client.post(f"/applications/{application_id}/delete", follow_redirects=True).text
    assert "Draft deleted." in done
    db.session.expire_all()
    assert db.session.get(Application, application_id) is None
    assert db.session.scalar(select(func.count()).select_from(AddressEntry)) == 0
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert not document_store.exists(stored)  # its bytes went with it, in the same commit
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.deleted"))
    assert event.data["before"]["entries"] == ["39.32.12.0/24"] and event.data["documents"][0]["name"] == "cnic.pdf"
    assert client.get(f"/applications/{application_id}").status_code == 404


def test_a_draft_that_was_submitted_before_is_withdrawn_not_deleted(login, make_user, db):
    client = login(make_user())
    _profile(client)
    application_id = _id(_new(client))
    application = db.session.get(Application, application_id)
    application.submitted_at = application.created_at  # as after a reopening
    db.session.commit()
    page = client.get(f"/applications/{application_id}").text
    assert "Delete draft" not in page and f'href="/applications/{application_id}/withdraw"' in page
    refused = client.post(f"/applications/{application_id}/delete", follow_redirects=True).text
    assert "has been submitted before; withdraw it instead." in refused
    assert db.session.get(Application, application_id) is not None


def test_withdrawing_asks_first(login, make_user, db):
    client = login(make_user())
    _profile(client)
    application_id = _submittable(client)
    client.post(f"/applications/{application_id}/submit")
    confirm = client.get(f"/applications/{application_id}/withdraw").text
    assert "<h1>Withdraw the application?</h1>" in confirm and ">Withdraw the application</button>" in confirm
    assert db.session.get(Application, application_id).state == "validating"
    page = client.post(f"/applications/{application_id}/withdraw", follow_redirects=True).text
    assert "Application withdrawn." in page and 'badge-withdrawn">Withdrawn</span>' in page


def test_states_times_and_ids_as_a_person_reads_them(login, make_user, db):
    client = login(make_user())
    _profile(client)
    application_id = _submittable(client)
    client.post(f"/applications/{application_id}/submit")
    listing = client.get("/applications").text
    assert 'badge-validating">Waiting for checks</span>' in listing
    page = client.get(f"/applications/{application_id}").text
    created = db.session.get(Application, application_id).created_at
    pakistan_hour = (created.hour + 5) % 24
    assert re.search(rf"{pakistan_hour:02d}:\d\d PKT</time> — Draft created", page) and " UTC" not in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    nav = page[page.index('<nav aria-label="Main">'):page.index("</nav>")]
    assert ">Applications</a>" in nav and ">Dashboard</a>" not in nav


def test_the_new_application_form_sent_again_changes_its_draft_not_a_second_one(login, make_user, db, app):
    """Back after "Save draft" asks for the form's address again (the page is no-store): its key finds the draft
    it made, which is shown to change; the same form sent again changes that draft. A new form makes another."""
    client = login(make_user())
    _profile(client)
    opened = client.get("/applications/new")
    assert opened.status_code == 302
    form_url = opened.headers["Location"]
    assert re.fullmatch(r"/applications/new\?form=[0-9a-f]{32}", form_url)
    assert "Save draft" in client.get(form_url).text
    first = _id(client.post(form_url, data=FORM))
    back = client.get(form_url)  # Back: the browser asks for the form again
    assert back.headers["Location"] == f"/applications/{first}/edit"
    assert f"You saved this form already: it is application #{first}" in client.get(back.headers["Location"]).text
    again = client.post(form_url, data={**FORM, "purpose": "Client VPN to Dubai"})  # the same form, sent again
    assert _id(again) == first
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    assert db.session.get(Application, first).purpose == "Client VPN to Dubai"
    other = client.get("/applications/new").headers["Location"]
    assert other != form_url and _id(client.post(other, data=FORM)) != first  # another form: another draft
    assert db.session.scalar(select(func.count()).select_from(Application)) == 2
    stranger = app.test_client()
    assert stranger.post("/sign-in", data={"email": make_user().email, "password": PASSWORD}).status_code == 302
    _profile(stranger)
    assert _id(stranger.post(form_url, data=FORM)) != first  # a key is the applicant's own


def test_a_purpose_shorter_than_a_sentence_is_refused_naming_the_rule_and_keeping_the_form(login, make_user, db):
    client = login(make_user())
    _profile(client)
    page = _new(client, purpose="  VPN  ", entries="39.32.12.0/24\n39.32.13.0/24")
    assert page.status_code == 200
    assert "&#39;VPN&#39; is too short" in page.text and "at least 10 characters" in page.text
    assert "39.32.12.0/24\n39.32.13.0/24</textarea>" in page.text  # what was typed stays
    assert "A sentence of at least 10 characters" in client.get("/applications/new", follow_redirects=True).text
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0
    first = _id(_new(client, purpose="VPN to our client in Germany"))
    edited = client.post(f"/applications/{first}/edit", data={**FORM, "purpose": "x"})
    assert edited.status_code == 200 and "&#39;x&#39; is too short" in edited.text
    assert db.session.get(Application, first).purpose == "VPN to our client in Germany"
