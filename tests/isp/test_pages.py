"""The ISP's pages: whitelist and downloads, versions and diffs, confirmations with CSRF, webhook settings."""
import re

from markupsafe import escape
from sqlalchemy import select

from app.choices import ConfirmationState, State, WhitelistFormat
from app.models import Application, IspConfirmation, IspOrganisation, WhitelistFile
from app.services.publication import files
from app.services.publication.publish import publish
from app.web.isp import routes as isp_routes


def _publish_two_versions(db, approved_application):
    first = approved_application(["39.32.0.0/24"])
    publish("batch 1 approved")
    db.session.commit()
    approved_application(["39.40.8.0/22"], applicant=first.applicant)
    publish("batch 2 approved")
    db.session.commit()


def test_whitelist_page_downloads_the_stored_bytes_and_signatures(db, isp_user, login, approved_application,
                                                                   tmp_path, monkeypatch):
    script = tmp_path / "sync.sh"
    script.write_text("#!/bin/sh\ncurl -H 'If-None-Match: \"$ETAG\"' <url>\n")
    monkeypatch.setattr(isp_routes, "SYNC_SCRIPT", script)
    _publish_two_versions(db, approved_application)
    client = login(isp_user("PTCL"))
    page = client.get("/isp/").text
    assert "Version 2" in page and "batch 2 approved" in page and "/isp/whitelist/2/ipset" in page
    assert str(escape("curl -H 'If-None-Match: \"$ETAG\"' <url>")) in page  # shown, escaped, in a <pre>

    for fmt in ("txt", "nft"):
        stored = db.session.get(WhitelistFile, (2, fmt))
        download = client.get(f"/isp/whitelist/2/{fmt}")
        assert download.status_code == 200 and download.data == files.body(stored.sha256)
        assert f"raasta-whitelist-2.{fmt}" in download.headers["Content-Disposition"]
        assert download.headers["Content-Type"] == WhitelistFormat.MEDIA_TYPES[fmt]  # one charset, not two
        assert client.get(f"/isp/whitelist/2/{fmt}/signature").data == stored.signature
    assert client.get("/isp/whitelist/2/txt").data == b"39.32.0.0/24\n39.40.8.0/22\n"
    assert client.get("/isp/whitelist/9/txt").status_code == 404
    assert client.get("/isp/whitelist/2/exe").status_code == 404
    assert client.get("/isp/signing-key.pem").data.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_versions_and_diff_between_consecutive_versions(db, make_user, login, approved_application):
    _publish_two_versions(db, approved_application)
    client = login(make_user(role="reviewer"))  # reviewers may read the whitelist pages too
    versions = client.get("/isp/versions").text
    assert versions.index("batch 2 approved") < versions.index("batch 1 approved")
    diff = client.get("/isp/versions/2").text
    added = diff[diff.index('id="added-heading"'):diff.index('id="removed-heading"')]
    removed = diff[diff.index('id="removed-heading"'):]
    assert "<code>39.40.8.0/22</code>" in added and "39.32.0.0/24" not in added
    assert "<code>" not in removed.split("</section>")[0].replace('<span class="badge">0</span>', "")
    assert "first version" in client.get("/isp/versions/1").text
    assert client.get("/isp/versions/3").status_code == 404


def _csrf(page: str, prefix: str = "") -> str:
    name = f"{prefix}csrf_token"
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def test_confirmations_page_answers_with_csrf(app, db, isp_user, login, subscriber, submitted):
    ptcl = isp_user("PTCL")
    mine = submitted(subscriber(subscriber_id="PTCL-42", name="Indus Soft"), ["39.32.12.0/24"])
    other = submitted(subscriber(subscriber_id="PTCL-43", name="Ravi Textiles"), ["39.32.13.0/24"])
    theirs = submitted(subscriber("Nayatel", "NT-1", name="Margalla Devs"))
    isp_user("Nayatel")
    db.session.get(Application, mine.id).state = State.READY
    db.session.commit()
    client = login(ptcl)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/isp/confirmations").text
    assert "Indus Soft" in page and "PTCL-42" in page and "39.32.12.0/24" in page and "Margalla Devs" not in page
    prefix = f"a{mine.id}-"

    assert client.post(f"/isp/confirmations/{mine.id}", data={f"{prefix}answer": "confirm"}).status_code == 400
    assert db.session.scalar(select(IspConfirmation.state).where(IspConfirmation.application_id == mine.id)) \
        == ConfirmationState.PENDING  # no CSRF token: refused

    token = _csrf(page, prefix)
    refused = client.post(f"/isp/confirmations/{mine.id}", follow_redirects=True,
                          data={f"{prefix}csrf_token": token, f"{prefix}answer": "dispute", f"{prefix}reason": ""})
    assert f"Application {mine.id}: Say why you dispute it" in refused.text  # the page lists many
    answered = client.post(f"/isp/confirmations/{mine.id}", follow_redirects=True, data={
        f"{prefix}csrf_token": token, f"{prefix}answer": "dispute", f"{prefix}reason": "Not our customer"})
    assert f"Application {mine.id}: disputed" in answered.text
    db.session.expire_all()
    assert db.session.get(Application, mine.id).state == State.FLAGGED
    assert f"Application #{mine.id}" not in answered.text and f"Application #{other.id}" in answered.text

    disputed_tab = client.get("/isp/confirmations?state=disputed").text
    assert "Not our customer" in disputed_tab and "Confirm instead" in disputed_tab
    assert client.post(f"/isp/confirmations/{theirs.id}", data={
        f"a{theirs.id}-csrf_token": token, f"a{theirs.id}-answer": "confirm"}).status_code == 404


def test_webhook_page_saves_refuses_and_removes(db, isp_user, login):
    client = login(isp_user("PTCL"))
    assert "No notices sent yet: set a webhook above" in client.get("/isp/webhook").text
    bad = client.post("/isp/webhook", data={"url": "ftp://noc.ptcl.example.pk/"}).text
    assert "is not an http or https URL" in bad and 'aria-invalid="true"' in bad
    saved = client.post("/isp/webhook", data={"url": "https://noc.ptcl.example.pk/raasta"}, follow_redirects=True)
    assert "Webhook saved" in saved.text and 'value="https://noc.ptcl.example.pk/raasta"' in saved.text
    removed = client.post("/isp/webhook", follow_redirects=True,
                          data={"url": "https://noc.ptcl.example.pk/raasta", "remove": "Remove webhook"})
    assert "Webhook removed." in removed.text
    assert db.session.scalar(select(IspOrganisation.webhook_url)) is None
    again = client.post("/isp/webhook", data={"url": "", "remove": "Remove webhook"}, follow_redirects=True)
    assert "No webhook is set; nothing to remove." in again.text and "Webhook removed." not in again.text
