"""Required documents: submit waits for them; uploads refused in plain words beside the field; documents
removed and replaced while the application is editable; identity papers carried to new applications."""
import hashlib
import io
import re
import zlib

import pytest
from sqlalchemy import select

from app.models import Application, AuditEvent, Document
from app.services import document_store
from tests.applicant.conftest import PDF, PNG

DOCX = b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 32


def _upload(client, url, kind, content, name):
    return client.post(f"{url}/documents", data={"kind": kind, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_submit_is_refused_until_the_category_documents_are_there(applicant, draft):
    url = f"/api/v1/applications/{draft['id']}"
    refused = applicant.post(f"{url}/submit")
    assert refused.status_code == 422
    assert refused.json["error"]["message"] == (
        "Upload the NTN certificate that a Company VPN application needs, then submit.")
    assert refused.json["error"]["details"] == {"missing": ["ntn_certificate"]}
    assert applicant.get(url).json["state"] == "draft"
    _upload(applicant, url, "ntn_certificate", PDF, "ntn.pdf")
    assert applicant.post(f"{url}/submit").status_code == 202


def test_the_page_lists_what_is_missing_and_the_upload_starts_with_it(applicant, draft, login):
    client = login(applicant.user)
    page = client.get(f"/applications/{draft['id']}").text
    assert "Before you can submit: upload the <strong>NTN certificate</strong>" in page
    assert re.search(r'<option selected value="ntn_certificate">', page)
    refused = client.post(f"/applications/{draft['id']}/submit", follow_redirects=True).text
    assert ('Upload the NTN certificate that a Company VPN application needs, then submit. '
            '<a href="#documents">Upload it below</a>.') in refused


def test_a_refused_upload_is_explained_beside_the_file_field_in_plain_words(applicant, draft, login):
    client = login(applicant.user)
    url = f"/applications/{draft['id']}"
    for content, words in [(b"MZ\x90\x00" + b"\x00" * 64, "is a Windows program, not a PDF, PNG or JPEG file"),
                           (DOCX, "is a Word document, not a PDF, PNG or JPEG file"),
                           (GIF, "is a GIF image, not a PDF, PNG or JPEG file")]:
        response = _upload(client, url, "client_contract", content, "contract.pdf")
        assert response.status_code == 415
        page = response.text
        field = page[page.index('id="file"'):]
        # The message follows the file input inside its field, tied to it for screen readers; the page
        # opens scrolled to the field (autofocus), and the chosen kind is kept.
        assert field.index(f"&#39;contract.pdf&#39; {words}") < field.index("Upload document")
        assert 'aria-describedby="file-hint file-error"' in page and "autofocus" in page
        assert '<option selected value="client_contract">' in page
        assert "application/" not in field.split("Upload document")[0]  # no MIME type in what the applicant reads


def test_documents_are_removed_and_replaced_while_editable(applicant, draft, login, db, app):
    client = login(applicant.user)
    url = f"/applications/{draft['id']}"
    _upload(client, url, "ntn_certificate", PDF, "old-ntn.pdf")
    old = db.session.scalar(select(Document))
    assert document_store.exists(old.sha256)
    page = client.post(f"{url}/documents/{old.id}/remove", follow_redirects=True).text
    assert "old-ntn.pdf removed." in page and 'NTN certificate</strong> <span class="missing">(missing)' in page
    assert not document_store.exists(old.sha256)  # its bytes go in the same commit
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.removed")).data["name"] == (
        "old-ntn.pdf")
    _upload(client, url, "ntn_certificate", PNG, "new-ntn.png")
    db.session.expire_all()
    assert [d.display_name for d in db.session.scalars(select(Document))] == ["new-ntn.png"]


def test_a_withdrawn_application_keeps_its_documents(applicant, draft, login, db):
    client = login(applicant.user)
    url = f"/applications/{draft['id']}"
    _upload(client, url, "ntn_certificate", PDF, "ntn.pdf")
    document = db.session.scalar(select(Document))
    client.post(f"{url}/withdraw")
    response = client.post(f"{url}/documents/{document.id}/remove", follow_redirects=True)
    assert "is withdrawn; only a draft" in response.text
    assert db.session.scalar(select(Document)) is not None


def test_identity_papers_follow_the_applicant_to_new_applications_and_renewals(applicant, draft, db, login):
    url = f"/api/v1/applications/{draft['id']}"
    _upload(applicant, url, "ntn_certificate", PDF, "ntn.pdf")
    _upload(applicant, url, "client_contract", PDF + b"contract", "contract.pdf")
    second = applicant.post("/api/v1/applications", json={"purpose": "Second office", "category": "company_vpn",
                                                         "entries": ["39.32.14.0/24"]}).json
    # Only the identity papers, as documents of their own: removing one here leaves the first application's.
    assert [(d["kind"], d["name"]) for d in second["documents"]] == [("ntn_certificate", "ntn.pdf")]
    copies = db.session.scalars(select(Document).where(Document.kind == "ntn_certificate")).all()
    assert len(copies) == 2 and len({c.sha256 for c in copies}) == 1
    # Carried over, not copied: the two documents name the same stored bytes.
    assert sorted(document_store.stored()) == sorted([copies[0].sha256, hashlib.sha256(PDF + b"contract").hexdigest()])
    carried = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.carried_over"))
    assert carried.subject_id == str(second["id"]) and carried.data["from_application"] == draft["id"]
    assert applicant.post(f"/api/v1/applications/{second['id']}/submit").status_code == 202  # nothing missing

    first = db.session.get(Application, draft["id"])
    first.state = "approved"
    db.session.commit()
    client = login(applicant.user)
    client.post(f"/applications/{draft['id']}/renew")
    renewal = db.session.scalar(select(Application).where(Application.renewal_of_id == draft["id"]))
    assert [d.kind for d in renewal.documents] == ["ntn_certificate"]
    profile = client.get("/profile").text
    assert "Your identity documents on file" in profile and "NTN certificate: <a" in profile


def test_a_new_identity_paper_replaces_the_carried_over_one(applicant, draft, db):
    _upload(applicant, f"/api/v1/applications/{draft['id']}", "ntn_certificate", PDF, "ntn.pdf")
    second = applicant.post("/api/v1/applications", json={"purpose": "Second office", "category": "company_vpn",
                                                         "entries": ["39.32.14.0/24"]}).json
    url = f"/api/v1/applications/{second['id']}"
    _upload(applicant, url, "ntn_certificate", PDF + b"% renewed", "ntn-2026.pdf")
    _upload(applicant, url, "client_contract", PDF + b"contract", "contract.pdf")
    _upload(applicant, url, "client_contract", PDF + b"annex", "annex.pdf")  # other kinds add up
    documents = applicant.get(url).json["documents"]
    assert [(d["kind"], d["name"]) for d in documents] == [
        ("ntn_certificate", "ntn-2026.pdf"), ("client_contract", "contract.pdf"), ("client_contract", "annex.pdf")]
    removed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.removed"))
    assert removed.subject_id == str(second["id"]) and removed.data["name"] == "ntn.pdf"
    assert removed.data["replaced_by"] == documents[0]["id"]


def _pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer <<>>\n%%EOF\n"


@pytest.mark.parametrize("carrier", [
    b"1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj 2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj",
    b"1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >> endobj",  # the names hex-escaped
    b"1 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n"                    # hidden in an object stream
    + zlib.compress(b"<< /AA << /O << /S /JavaScript /JS (x) >> >> >>") + b"\nendstream\nendobj",
    b"1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj",
])
def test_a_pdf_that_carries_script_is_refused_and_nothing_is_stored(applicant, draft, db, carrier):
    url = f"/api/v1/applications/{draft['id']}"
    response = _upload(applicant, url, "ntn_certificate", _pdf_with(carrier), "ntn.pdf")
    assert response.status_code == 415
    error = response.json["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["message"].startswith("'ntn.pdf' is a PDF that carries ")
    assert error["details"]["active_content"] in ("JavaScript", "a command to start a program")
    assert "Save as PDF" in error["message"]
    assert db.session.scalars(select(Document)).all() == []


def test_a_pdf_without_script_is_accepted_even_with_an_open_action(applicant, draft):
    harmless = _pdf_with(b"1 0 obj << /Type /Catalog /OpenAction [3 0 R /Fit] >> endobj\n"
                         b"2 0 obj << /Filter /FlateDecode >>\nstream\n" + zlib.compress(b"BT /F1 12 Tf (JS) Tj ET")
                         + b"\nendstream\nendobj")
    response = _upload(applicant, f"/api/v1/applications/{draft['id']}", "ntn_certificate", harmless, "ntn.pdf")
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("uploaded, content, downloaded", [
    ("poly.html", PDF, "poly.pdf"),       # a PDF named as a page downloads as what it is
    ("scan.JPEG", None, "scan.JPEG"),     # a right extension, in any case, is kept
    ("contract", PDF, "contract.pdf"),
    ("photo.pdf", PNG, "photo.png"),
])
def test_a_download_is_named_for_what_the_file_is(applicant, draft, uploaded, content, downloaded):
    content = content or b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
    url = f"/api/v1/applications/{draft['id']}"
    document = _upload(applicant, url, "client_contract", content, uploaded).json
    response = applicant.get(f"{url}/documents/{document['id']}")
    assert response.headers["Content-Disposition"] == f"attachment; filename={downloaded}"
    assert document["name"] == uploaded  # what the applicant called it stays on their page


def test_submit_is_offered_only_once_the_documents_are_there_and_says_what_is_missing(applicant, draft, login):
    client = login(applicant.user)
    url = f"/applications/{draft['id']}"
    page = client.get(url).text
    assert '<a class="button" id="submit-needs" href="#documents">Upload the NTN certificate to submit</a>' in page
    assert "Submit for checks</button>" not in page
    _upload(applicant, f"/api/v1/applications/{draft['id']}", "ntn_certificate", PDF, "ntn.pdf")
    page = client.get(url).text
    assert "Submit for checks</button>" in page and "submit-needs" not in page


def _timeline(page: str) -> list[str]:
    items = re.findall(r'<li><time datetime="[^"]+">[^<]+</time> — (.*?) <span class="muted">\((?:you|Raasta|a reviewer)\)',
                       page.split('<ol class="timeline">')[1])
    return [re.sub(r"\s+", " ", item) for item in items]


def test_the_timeline_says_each_thing_the_applicant_did_once(applicant, draft, db, login, run_worker):
    """A carried-over NTN certificate replaced by a new upload was three lines ("added from your earlier
    applications", "uploaded", "removed") for one file; an upload that reopened a ready application two."""
    _upload(applicant, f"/api/v1/applications/{draft['id']}", "ntn_certificate", PDF, "ntn.pdf")
    second = applicant.post("/api/v1/applications", json={"purpose": "Second office", "category": "company_vpn",
                                                         "entries": ["39.32.14.0/24"]}).json
    url = f"/api/v1/applications/{second['id']}"
    _upload(applicant, url, "ntn_certificate", PDF + b"% renewed", "ntn-2026.pdf")
    assert applicant.post(f"{url}/submit").status_code == 202
    run_worker()
    _upload(applicant, url, "client_contract", PDF + b"contract", "contract.pdf")  # ready -> a draft again
    page = login(applicant.user).get(f"/applications/{second['id']}").text
    assert _timeline(page) == [
        "Draft created: with ntn.pdf (NTN certificate) from your earlier applications",
        "Document uploaded: ntn-2026.pdf, replacing ntn.pdf",
        "Submitted for the automatic checks",
        "Checks passed",
        "Document uploaded: contract.pdf — opened for corrections (a draft again)",
    ]


def test_a_document_too_large_to_read_is_refused_naming_it_and_the_limit_beside_the_field(app, applicant, draft,
                                                                                          login):
    """Over MAX_CONTENT_LENGTH the body is not parsed at all; its first bytes still give the file's name and
    the kind chosen, and the answer is the application page, not a bare 413."""
    app.config.update(MAX_DOCUMENT_BYTES=1024 * 1024, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    client = login(applicant.user)
    big = PDF + b"0" * (3 * 1024 * 1024)
    response = _upload(client, f"/applications/{draft['id']}", "cnic_back", big, "passport scan.pdf")
    assert response.status_code == 413
    error = response.text.split('id="file-error"')[1].split("</div>")[0]
    assert "&#39;passport scan.pdf&#39; is larger than 1 MB; upload a smaller scan" in error
    assert '<option selected value="cnic_back">' in response.text  # the kind chosen is kept
    assert f"Application #{draft['id']}" in response.text
    elsewhere = client.post("/applications/new", data={"entries_file": (io.BytesIO(big), "list.csv")},
                            content_type="multipart/form-data")
    assert elsewhere.status_code == 413 and "<h1>We could not do that</h1>" in elsewhere.text
