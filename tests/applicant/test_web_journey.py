"""The applicant's pages, driven through the real forms: nothing typed is lost on an error."""
import io
import re

from sqlalchemy import select

from app.models import Application, Notification
from tests.applicant.conftest import PDF, PNG


def _profile(client, **overrides):
    form = {"kind": "freelancer", "name": "Bilal Ahmed", "cnic": "35202-1234567-1", "city": "Karachi",
            "phone": "0300-1234567", "isp_name": "StormFiber", "isp_subscriber_id": "SF-1"}
    form.update(overrides)
    return client.post("/profile", data=form)


def test_profile_errors_name_the_field_and_keep_the_input(login, make_user, db):
    client = login(make_user())
    page = _profile(client, cnic="352021234567", phone="12345").text
    assert "CNIC &#39;352021234567&#39; is not in the format 12345-1234567-1." in page
    assert 'value="352021234567"' in page and 'value="Bilal Ahmed"' in page and 'value="StormFiber"' in page
    assert _profile(client).status_code == 302


def test_entry_errors_are_per_line_and_the_text_is_kept(login, make_user, db):
    client = login(make_user())
    _profile(client)
    text = "39.32.12.0/24\n# office\n39.32.13.5/24\n1.2.3\n"
    page = client.post("/applications/new", data={
        "purpose": "Client VPN", "category": "freelancer_vpn", "entries": text,
        "endpoints-0-host": "", "endpoints-0-protocol": "wireguard", "endpoints-0-port": "", "endpoints-0-peer": ""}).text
    assert "<p>Line 3: &#39;39.32.13.5/24&#39; has host bits set" in page and "did you mean 39.32.13.0/24?</p>" in page
    assert "<p>Line 4: &#39;1.2.3&#39; is a short form" in page
    assert "39.32.12.0/24\n# office\n39.32.13.5/24\n1.2.3" in page
    assert db.session.scalar(select(Application)) is None


def test_file_import_joins_the_box_and_endpoint_rows_grow_without_js(login, make_user, db):
    client = login(make_user())
    _profile(client)
    page = client.post("/applications/new", data={
        "purpose": "Call centre", "category": "call_center", "entries": "",
        "endpoints-0-host": "vpn.example.pk", "endpoints-0-protocol": "ipsec", "endpoints-0-port": "500",
        "endpoints-0-peer": "", "add_endpoint": "Add another endpoint"}).text
    assert 'name="endpoints-1-host"' in page and 'value="vpn.example.pk"' in page
    csv_file = (io.BytesIO(b"cidr,site\n39.32.12.0/24,Lahore\n39.32.13.0/24,Karachi\n"), "ranges.csv")
    response = client.post("/applications/new", data={
        "purpose": "Call centre", "category": "call_center", "entries": "111.68.96.10", "entries_file": csv_file,
        "endpoints-0-host": "vpn.example.pk", "endpoints-0-protocol": "ipsec", "endpoints-0-port": "500",
        "endpoints-0-peer": "", "endpoints-1-host": "", "endpoints-1-protocol": "wireguard", "endpoints-1-port": "",
        "endpoints-1-peer": ""}, content_type="multipart/form-data")
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert [e.input for e in application.entries] == ["111.68.96.10", "39.32.12.0/24", "39.32.13.0/24"]
    assert [(e.host, e.port) for e in application.endpoints] == [("vpn.example.pk", 500)]


def test_endpoint_field_errors_show_on_the_row(login, make_user):
    client = login(make_user())
    _profile(client)
    page = client.post("/applications/new", data={
        "purpose": "Office VPN to our client", "category": "company_vpn", "entries": "39.32.12.0/24",
        "endpoints-0-host": "not a host", "endpoints-0-protocol": "wireguard", "endpoints-0-port": "99999",
        "endpoints-0-peer": ""}).text
    assert "is not a valid hostname" in page and "Port &#39;99999&#39; is not a number from 1 to 65535." in page
    assert 'value="not a host"' in page


def test_full_journey_draft_upload_submit_validated(login, make_user, db, run_worker, app):
    client = login(make_user(name="Bilal Ahmed"))
    _profile(client)
    response = client.post("/applications/new", data={
        "purpose": "VPN to my client in Canada", "category": "freelancer_vpn",
        "entries": "39.32.12.0/24\n111.68.96.10\n2400:adc0:100::/48",
        "endpoints-0-host": "vpn.client.ca", "endpoints-0-protocol": "openvpn", "endpoints-0-port": "1194",
        "endpoints-0-peer": "Client Inc."})
    detail_url = response.headers["Location"]
    application_id = int(re.search(r"/applications/(\d+)", detail_url).group(1))
    page = client.get(detail_url).text
    assert "CNIC (front)</strong> <span class=\"missing\">(missing)" in page
    assert "Upload the CNIC (front) and the CNIC (back) to submit</a>" in page and "Submit for checks" not in page

    upload = client.post(f"{detail_url}/documents", data={"kind": "cnic_front", "file": (io.BytesIO(PDF), "cnic.pdf")},
                         content_type="multipart/form-data", follow_redirects=True).text
    assert "cnic.pdf uploaded." in upload and "CNIC (front)</strong> ✓" in upload
    refused = client.post(f"{detail_url}/documents", data={"kind": "cnic_back", "file": (io.BytesIO(b"hello"), "x.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 415 and "&#39;x.pdf&#39; is not a PDF, PNG or JPEG file" in refused.text

    not_yet = client.post(f"{detail_url}/submit", follow_redirects=True).text
    assert 'Upload the CNIC (back) that a Freelancer VPN application needs, then submit. <a href="#documents">' in not_yet
    assert db.session.get(Application, application_id).state == "draft"
    client.post(f"{detail_url}/documents", data={"kind": "cnic_back", "file": (io.BytesIO(PNG), "back.png")},
                content_type="multipart/form-data")
    submitted = client.post(f"{detail_url}/submit", follow_redirects=True).text
    assert "The automatic checks are running" in submitted
    assert client.get(f"{detail_url}/status.json").json == {"state": "validating", "progress": None}
    run_worker()
    page = client.get(detail_url).text
    # Pakistani space, both CNIC sides: warnings and information (country, ISP unconfirmed), no error.
    assert db.session.get(Application, application_id).state == "ready"
    assert 'badge-ready">Waiting for review</span>' in page
    assert "Submitted for the automatic checks" in page and "Document uploaded: cnic.pdf" in page

    notes = db.session.scalars(select(Notification)).all()
    assert [n.subject for n in notes] == [f"Application {application_id} passed the automatic checks"]
    mail = list((app.config["INSTANCE_DIR"] / "mail").glob("*.eml"))
    assert len(mail) == 1 and f"Application {application_id}" in mail[0].read_text()


def test_other_applicants_application_is_404(login, make_user, api, db):
    owner = api(make_user())
    owner.put("/api/v1/profile", json={"kind": "freelancer", "name": "A", "cnic": "35202-1234567-1", "city": "X",
                                       "isp_name": "PTCL", "isp_subscriber_id": "1"})
    created = owner.post("/api/v1/applications", json={"purpose": "Office VPN to our client", "entries": ["39.32.12.0/24"]}).json
    stranger = login(make_user())
    assert stranger.get(f"/applications/{created['id']}").status_code == 404
    assert stranger.post(f"/applications/{created['id']}/withdraw").status_code == 404


def test_a_file_alone_is_enough(login, make_user, db):
    client = login(make_user())
    _profile(client)
    response = client.post("/applications/new", data={
        "purpose": "Call centre", "category": "call_center", "entries": "",
        "entries_file": (io.BytesIO(b"39.32.12.0/24\n39.32.13.0/24\n"), "ranges.txt"),
        "endpoints-0-host": "", "endpoints-0-protocol": "wireguard", "endpoints-0-port": "", "endpoints-0-peer": ""},
        content_type="multipart/form-data")
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert [e.input for e in application.entries] == ["39.32.12.0/24", "39.32.13.0/24"]
