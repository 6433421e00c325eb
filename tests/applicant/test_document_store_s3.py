"""Documents in an S3-compatible bucket (DOCUMENT_STORE=s3://bucket/prefix), against moto's S3 server over real
HTTP: one object per content at <prefix>/<sha256[:2]>/<sha256>, streamed back a chunk at a time, deleted after
the commit that removes the last document naming it, and never under a document about to be committed."""
import hashlib
import io
import socket
import threading
import time

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.config import ConfigError
from app.models import Application, Document, DocumentBlob
from app.runtime.preflight import check_document_store
from app.services import document_store
from app.services.documents import remove_document, store_document
from app.transactions import committed
from tests.applicant.conftest import PDF, PNG, streamed_download
from tests.conftest import flask_cli

NINE_MB = PDF + b"0" * (9 * 1024 * 1024)


def _upload(client, application_id, kind, content, name):
    response = client.post(f"/api/v1/applications/{application_id}/documents",
                           data={"kind": kind, "file": (io.BytesIO(content), name)})
    assert response.status_code == 201, response.json
    return response.json


def test_bytes_round_trip_through_the_bucket_in_chunks(s3_store, app, db):
    content = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and 4 bytes: five chunks, the last of 4 bytes
    sha256 = document_store.put(content)
    assert sha256 == hashlib.sha256(content).hexdigest()
    assert s3_store.keys() == [f"documents/{sha256[:2]}/{sha256}"] and s3_store.read(sha256) == content
    chunks = list(document_store.open(sha256))
    assert [len(chunk) for chunk in chunks] == [document_store.CHUNK_BYTES] * 4 + [4]
    assert b"".join(chunks) == content
    assert document_store.exists(sha256) and not document_store.exists(hashlib.sha256(b"other").hexdigest())
    with pytest.raises(document_store.Missing):
        document_store.open(hashlib.sha256(b"other").hexdigest())
    assert db.session.scalar(select(func.count()).select_from(DocumentBlob)) == 0  # nothing in the database


def test_the_same_bytes_twice_are_one_object_written_once(s3_store, applicant, draft, db):
    first = _upload(applicant, draft["id"], "client_contract", NINE_MB, "contract.pdf")
    written = s3_store.client.head_object(Bucket=s3_store.bucket, Key=s3_store.key(first["sha256"]))
    time.sleep(1.1)  # Last-Modified counts seconds: a second PUT would show
    second = _upload(applicant, draft["id"], "client_contract", NINE_MB, "contract again.pdf")
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert s3_store.keys() == [s3_store.key(first["sha256"])]
    again = s3_store.client.head_object(Bucket=s3_store.bucket, Key=s3_store.key(first["sha256"]))
    assert again["LastModified"] == written["LastModified"] and again["ETag"] == written["ETag"]


def test_an_upload_and_its_download_through_the_api_and_the_page(s3_store, applicant, draft, login):
    document = _upload(applicant, draft["id"], "client_contract", PNG, "scan.pdf")
    assert s3_store.read(document["sha256"]) == PNG
    url = f"/api/v1/applications/{draft['id']}/documents/{document['id']}"
    for get, path in ((applicant.get, url), (login(applicant.user).get, url.removeprefix("/api/v1"))):
        response = get(path)
        assert response.status_code == 200 and response.data == PNG
        assert response.headers["Content-Type"] == "image/png" and response.headers["Content-Length"] == str(len(PNG))
        assert response.headers["Content-Disposition"] == "attachment; filename=scan.png"
        assert response.headers["ETag"] == f'"{document["sha256"]}"'
    part = applicant.get(url, headers={"Range": "bytes=4-11"})
    assert part.status_code == 206 and part.data == PNG[4:12]
    assert applicant.get(url, headers={"If-None-Match": f'"{document["sha256"]}"'}).status_code == 304


def test_a_large_download_holds_one_chunk_at_a_time(s3_store, applicant, draft):
    document = _upload(applicant, draft["id"], "client_contract", NINE_MB, "big.pdf")
    url = f"/api/v1/applications/{draft['id']}/documents/{document['id']}"
    applicant.get(f"/api/v1/applications/{draft['id']}")  # boto3's client and the API's code loaded before measuring
    sha256, sizes, peak = streamed_download(applicant, url)
    assert sha256 == document["sha256"] and sum(sizes) == len(NINE_MB)
    assert max(sizes) <= document_store.CHUNK_BYTES and len(sizes) >= 36
    assert peak < 3 * 1024 * 1024, f"the download held {peak:,} bytes at once"


def test_bytes_go_after_the_commit_with_the_last_document_naming_them(s3_store, applicant, draft, db, login):
    _upload(applicant, draft["id"], "ntn_certificate", PDF, "ntn.pdf")
    second = applicant.post("/api/v1/applications", json={"purpose": "Second office", "category": "company_vpn",
                                                         "entries": ["39.32.14.0/24"]}).json
    carried = second["documents"][0]  # the NTN certificate carried over: the same object
    assert s3_store.keys() == [s3_store.key(carried["sha256"])]
    client = login(applicant.user)
    client.post(f"/applications/{second['id']}/documents/{carried['id']}/remove")
    assert s3_store.keys() == [s3_store.key(carried["sha256"])]  # the first application still has it
    first = db.session.scalar(select(Document).where(Document.application_id == draft["id"]))
    client.post(f"/applications/{draft['id']}/documents/{first.id}/remove")
    assert s3_store.keys() == [] and not document_store.exists(carried["sha256"])


def test_a_removal_rolled_back_keeps_the_object(s3_store, applicant, draft, db):
    document = _upload(applicant, draft["id"], "client_contract", PDF, "contract.pdf")
    application = db.session.get(Application, draft["id"])
    with pytest.raises(RuntimeError), committed():
        remove_document(application, db.session.get(Document, document["id"]))
        raise RuntimeError("the request failed after the removal")
    assert s3_store.keys() == [s3_store.key(document["sha256"])]


def test_an_upload_racing_the_removal_of_the_same_bytes_keeps_them(s3_store, app, applicant, draft, db):
    """A stores bytes it finds in the bucket already (a HEAD, no PUT) while B removes the last document naming
    them and commits: B's delete waits for A's commit, then sees A's document, and leaves the object."""
    old = _upload(applicant, draft["id"], "client_contract", PDF, "contract.pdf")
    other = applicant.post("/api/v1/applications", json={"purpose": "Second office", "category": "company_vpn",
                                                        "entries": ["39.32.14.0/24"]}).json
    for carried in other["documents"]:
        db.session.delete(db.session.get(Document, carried["id"]))
    db.session.commit()

    assert document_store.put(PDF) == old["sha256"]  # A: the object is there, so no PUT, and the lock is held
    db.session.add(Document(application_id=other["id"], kind="client_contract", display_name="same.pdf",
                            content_type="application/pdf", size=len(PDF), sha256=old["sha256"],
                            uploaded_by_id=applicant.user.id))
    db.session.flush()

    def remove():  # B, in a request of its own
        with app.app_context(), committed():
            remove_document(db.session.get(Application, draft["id"]), db.session.get(Document, old["id"]))

    b = threading.Thread(target=remove)
    b.start()
    time.sleep(1.5)
    assert b.is_alive(), "B did not wait for A"  # PostgreSQL: at the delete's lock; SQLite: at its write lock
    db.session.commit()  # A
    b.join(timeout=60)
    assert not b.is_alive()
    assert db.session.scalars(select(Document.display_name)).all() == ["same.pdf"]
    assert s3_store.keys() == [s3_store.key(old["sha256"])]
    assert b"".join(document_store.open(old["sha256"])) == PDF


def test_a_rolled_back_upload_leaves_an_orphan_that_orphans_removes(s3_store, applicant, draft, db, worker_env):
    kept = _upload(applicant, draft["id"], "client_contract", PDF, "contract.pdf")
    application = db.session.get(Application, draft["id"])
    with pytest.raises(RuntimeError), committed():
        lost = store_document(application, "client_contract", FileStorage(io.BytesIO(PNG), "scan.png"))
        raise RuntimeError("the request failed after the upload")
    orphan = hashlib.sha256(PNG).hexdigest()
    assert lost.sha256 == orphan and sorted(s3_store.keys()) == sorted([s3_store.key(kept["sha256"]),
                                                                        s3_store.key(orphan)])
    env = {**worker_env, **s3_store.env}
    verified = flask_cli(env, "documents", "verify")
    assert verified.returncode == 0, verified.stderr
    assert ("1 stored blob named by no document (an upload rolled back after its bytes were stored): "
            "`flask documents orphans --delete` removes them.") in verified.stdout
    listed = flask_cli(env, "documents", "orphans")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [orphan, "1 stored blob named by no document: "
                                                  "`flask documents orphans --delete` removes them."]
    deleted = flask_cli(env, "documents", "orphans", "--delete")
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.splitlines() == [orphan, "1 stored blob named by no document; removed 1."]
    assert s3_store.keys() == [s3_store.key(kept["sha256"])]
    assert flask_cli(env, "documents", "orphans").stdout == "0 stored blobs named by no document.\n"


def test_verify_finds_a_tampered_object_and_a_missing_one(s3_store, applicant, draft, db, worker_env):
    tampered = _upload(applicant, draft["id"], "client_contract", PDF, "contract.pdf")
    lost = _upload(applicant, draft["id"], "client_contract", PNG, "scan.png")
    s3_store.write(tampered["sha256"], PDF + b"changed in the bucket")
    s3_store.client.delete_object(Bucket=s3_store.bucket, Key=s3_store.key(lost["sha256"]))
    changed = hashlib.sha256(PDF + b"changed in the bucket").hexdigest()
    assert document_store.problem_with(tampered["sha256"]) == f"its bytes hash to {changed}"
    assert document_store.problem_with(lost["sha256"]) == "not stored"
    result = flask_cli({**worker_env, **s3_store.env}, "documents", "verify")
    assert result.returncode == 1
    assert (f"Blob {tampered['sha256']}: its bytes hash to {changed}; named by document {tampered['id']} "
            f"('contract.pdf' on application {draft['id']}).") in result.stderr
    assert (f"Blob {lost['sha256']}: not stored; named by document {lost['id']} ('scan.png' on application "
            f"{draft['id']}).") in result.stderr
    assert "2 problems in the document store." in result.stderr
    response = applicant.get(f"/api/v1/applications/{draft['id']}/documents/{lost['id']}")
    assert response.status_code == 404 and response.json["error"]["message"] == (
        "The file of 'scan.png' is missing from the document store; ask the applicant to upload it again.")


def test_the_launcher_checks_the_bucket_before_starting(s3_store):
    check_document_store(f"s3://{s3_store.bucket}/documents", s3_store.endpoint)  # there: no error
    check_document_store("database", None)
    with pytest.raises(ConfigError, match=(
            rf"^DOCUMENT_STORE: cannot use the bucket 'raasta-nowhere' at {s3_store.endpoint}: .*\(404\).*; check "
            "the bucket's name, S3_ENDPOINT_URL and the AWS credentials$")):
        check_document_store("s3://raasta-nowhere/documents", s3_store.endpoint)


def test_while_s3_is_away_uploads_and_downloads_are_a_503_to_retry_and_removals_leave_an_orphan(
        s3_store, app, applicant, draft, login, db, worker_env):
    kept = _upload(applicant, draft["id"], "client_contract", PDF, "contract.pdf")
    app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{_closed_port()}"  # the service down
    refused = applicant.post(f"/api/v1/applications/{draft['id']}/documents",
                             data={"kind": "client_contract", "file": (io.BytesIO(PNG), "scan.png")})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
    assert refused.json["error"]["message"] == ("'scan.png' could not be stored: the document store is not answering "
                                                "just now. Nothing changed; upload it again in a minute.")
    page = login(applicant.user).post(f"/applications/{draft['id']}/documents",
                                      data={"kind": "client_contract", "file": (io.BytesIO(PNG), "scan.png")})
    assert page.status_code == 503 and "could not be stored: the document store is not answering" in page.text
    download = applicant.get(f"/api/v1/applications/{draft['id']}/documents/{kept['id']}")
    assert download.status_code == 503 and download.json["error"]["message"] == (
        "The file of 'contract.pdf' cannot be read just now: the document store is not answering. Try again in a "
        "minute.")
    assert db.session.scalars(select(Document.display_name)).all() == ["contract.pdf"]

    removed = login(applicant.user).post(f"/applications/{draft['id']}/documents/{kept['id']}/remove")
    assert removed.status_code == 302  # committed; the object's delete failed after it, and was logged
    assert db.session.scalars(select(Document)).all() == []
    app.config["S3_ENDPOINT_URL"] = s3_store.endpoint  # back
    assert s3_store.keys() == [s3_store.key(kept["sha256"])]
    listed = flask_cli({**worker_env, **s3_store.env}, "documents", "orphans", "--delete")
    assert listed.stdout.splitlines() == [kept["sha256"], "1 stored blob named by no document; removed 1."]
    assert s3_store.keys() == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_a_deleted_draft_takes_its_objects_but_not_those_another_application_names(s3_store, applicant, draft, db):
    _upload(applicant, draft["id"], "ntn_certificate", PDF, "ntn.pdf")
    own = _upload(applicant, draft["id"], "client_contract", PNG, "contract.png")
    second = applicant.post("/api/v1/applications", json={"purpose": "Second office", "category": "company_vpn",
                                                         "entries": ["39.32.14.0/24"]}).json
    assert [d["name"] for d in second["documents"]] == ["ntn.pdf"]  # the NTN certificate carried over
    assert applicant.delete(f"/api/v1/applications/{draft['id']}").status_code == 204
    assert db.session.get(Application, draft["id"]) is None
    assert s3_store.keys() == [s3_store.key(hashlib.sha256(PDF).hexdigest())]  # the second application's
    assert not document_store.exists(own["sha256"])
