"""Documents in the document store (the database by default): stored once per content, in the upload's transaction,
streamed back a chunk at a time with send_file's headers, deleted with the last document that names them."""
import hashlib
import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.models import Application, Document, DocumentBlob, DocumentChunk
from app.services import document_store
from app.services.documents import store_document
from app.transactions import committed
from tests.applicant.conftest import PDF, PNG, streamed_download

NINE_MB = PDF + b"0" * (9 * 1024 * 1024)


def _upload(client, application_id, kind, content, name):
    response = client.post(f"/api/v1/applications/{application_id}/documents",
                           data={"kind": kind, "file": (io.BytesIO(content), name)})
    assert response.status_code == 201, response.json
    return response.json


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_upload_is_kept_in_the_database_not_on_the_disk(applicant, draft, db, app):
    document = _upload(applicant, draft["id"], "ntn_certificate", PDF, "ntn.pdf")
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    blob = db.session.get(DocumentBlob, document["sha256"])
    assert blob.size == len(PDF)
    assert db.session.scalars(select(DocumentChunk.data)).all() == [PDF]
    assert db.session.get(Document, document["id"]).stored_name is None
    folder = app.config["INSTANCE_DIR"] / "documents"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_the_same_bytes_twice_are_stored_once(applicant, draft, db):
    first = _upload(applicant, draft["id"], "client_contract", NINE_MB, "contract.pdf")
    second = _upload(applicant, draft["id"], "client_contract", NINE_MB, "contract again.pdf")
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert _count(db, DocumentBlob) == 1
    assert _count(db, DocumentChunk) == -(-len(NINE_MB) // document_store.CHUNK_BYTES)  # 37 pieces, not 74


def test_a_download_is_the_same_bytes_with_the_same_headers(applicant, draft, login):
    document = _upload(applicant, draft["id"], "client_contract", PNG, "scan.pdf")
    url = f"/api/v1/applications/{draft['id']}/documents/{document['id']}"
    for get in (applicant.get, login(applicant.user).get):
        response = get(url.removeprefix("/api/v1") if get != applicant.get else url)  # the API, then the page
        assert response.status_code == 200 and response.data == PNG
        headers = response.headers
        assert headers["Content-Type"] == "image/png" and headers["Content-Length"] == str(len(PNG))
        assert headers["Content-Disposition"] == "attachment; filename=scan.png"  # named for what it is
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "private, no-store"
        assert headers["Accept-Ranges"] == "bytes" and headers["ETag"] == f'"{document["sha256"]}"'
        assert headers["Last-Modified"] and headers["Expires"]
    part = applicant.get(url, headers={"Range": "bytes=4-11"})
    assert part.status_code == 206 and part.data == PNG[4:12]
    assert part.headers["Content-Range"] == f"bytes 4-11/{len(PNG)}"
    assert applicant.get(url, headers={"If-None-Match": f'"{document["sha256"]}"'}).status_code == 304


def test_a_name_beyond_ascii_is_sent_as_send_file_sends_it(applicant, draft):
    document = _upload(applicant, draft["id"], "client_contract", PDF, "معاہدہ.pdf")
    response = applicant.get(f"/api/v1/applications/{draft['id']}/documents/{document['id']}")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=.pdf; filename*=UTF-8''%D9%85%D8%B9%D8%A7%DB%81%D8%AF%DB%81.pdf")


def test_a_large_document_is_read_a_chunk_at_a_time(applicant, draft, db):
    document = _upload(applicant, draft["id"], "client_contract", NINE_MB, "big.pdf")
    chunks = list(document_store.open(document["sha256"]))
    assert b"".join(chunks) == NINE_MB and max(map(len, chunks)) == document_store.CHUNK_BYTES
    url = f"/api/v1/applications/{draft['id']}/documents/{document['id']}"
    sha256, sizes, peak = streamed_download(applicant, url)
    assert sha256 == document["sha256"] and sum(sizes) == len(NINE_MB)
    assert max(sizes) <= document_store.CHUNK_BYTES and len(sizes) >= 36
    assert peak < 3 * 1024 * 1024, f"the download held {peak:,} bytes at once"


def test_bytes_go_with_the_last_document_that_names_them(applicant, draft, db, login):
    _upload(applicant, draft["id"], "ntn_certificate", PDF, "ntn.pdf")
    second = applicant.post("/api/v1/applications", json={"purpose": "Second office", "category": "company_vpn",
                                                         "entries": ["39.32.14.0/24"]}).json
    carried = second["documents"][0]
    assert carried["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert _count(db, DocumentBlob) == 1 and _count(db, DocumentChunk) == 1  # carried over, not copied
    client = login(applicant.user)
    client.post(f"/applications/{second['id']}/documents/{carried['id']}/remove")
    assert document_store.exists(carried["sha256"])  # the first application still has it
    first = db.session.scalar(select(Document).where(Document.application_id == draft["id"]))
    client.post(f"/applications/{draft['id']}/documents/{first.id}/remove")
    db.session.expire_all()
    assert not document_store.exists(carried["sha256"]) and _count(db, DocumentChunk) == 0


def test_a_replaced_identity_paper_keeps_bytes_another_document_has(applicant, draft, db):
    _upload(applicant, draft["id"], "ntn_certificate", PDF, "ntn.pdf")
    _upload(applicant, draft["id"], "client_contract", PNG, "contract.png")
    _upload(applicant, draft["id"], "ntn_certificate", PNG, "ntn.png")  # replaces ntn.pdf, whose bytes go
    assert list(document_store.stored()) == [hashlib.sha256(PNG).hexdigest()]


def test_a_rolled_back_upload_leaves_no_bytes(applicant, draft, db):
    application = db.session.get(Application, draft["id"])
    with pytest.raises(RuntimeError), committed():
        document = store_document(application, "client_contract", FileStorage(io.BytesIO(NINE_MB), "big.pdf"))
        assert document_store.exists(document.sha256)
        raise RuntimeError("the request failed after the upload")
    assert _count(db, DocumentBlob) == 0 and _count(db, DocumentChunk) == 0 and _count(db, Document) == 0


def test_a_document_whose_bytes_are_lost_is_a_404_naming_it_not_a_500(applicant, draft, db):
    document = _upload(applicant, draft["id"], "client_contract", PDF, "contract.pdf")
    db.session.execute(DocumentChunk.__table__.delete())
    db.session.execute(DocumentBlob.__table__.delete())
    db.session.commit()
    response = applicant.get(f"/api/v1/applications/{draft['id']}/documents/{document['id']}")
    assert response.status_code == 404 and response.json["error"]["message"] == (
        "The file of 'contract.pdf' is missing from the document store; ask the applicant to upload it again.")
