"""`flask documents migrate` moves files from before the document store into it, checked by hash and resumable;
`flask documents verify` reads every stored blob again."""
import hashlib

import pytest
from sqlalchemy import select, update

from app.models import Application, Document, DocumentChunk
from app.services import document_store
from tests.conftest import flask_cli

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def legacy(app, db, make_user):
    """Documents as revision 0016 left them: files under instance/documents/ named by stored_name."""
    applicant = make_user()
    application = Application(applicant=applicant, purpose="Office VPN")
    db.session.add(application)
    db.session.flush()
    folder = app.config["INSTANCE_DIR"] / "documents"
    folder.mkdir(parents=True, exist_ok=True)

    def make(name: str, content: bytes, recorded: bytes | None = None) -> Document:
        stored_name = f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.pdf"
        (folder / stored_name).write_bytes(content)
        document = Document(application=application, kind="client_contract", display_name=name,
                            stored_name=stored_name, content_type="application/pdf", size=len(content),
                            sha256=hashlib.sha256(recorded or content).hexdigest(), uploaded_by_id=applicant.id)
        db.session.add(document)
        db.session.commit()
        return document

    make.folder = folder
    return make


def test_migrate_moves_files_into_the_store_and_is_resumable(legacy, db, worker_env, client, login):
    contract = legacy("contract.pdf", PDF + b"contract")
    annex = legacy("annex.pdf", PDF + b"annex")
    same = legacy("contract copy.pdf", PDF + b"contract")  # the same bytes: stored once
    # Before the move a document is still served from its file.
    login(db.session.get(Application, contract.application_id).applicant)
    before = client.get(f"/applications/{contract.application_id}/documents/{contract.id}")
    assert before.status_code == 200 and before.data == PDF + b"contract"

    first = flask_cli(worker_env, "documents", "migrate")
    assert first.returncode == 0, first.stderr
    assert "Moved 2 documents into the store; 1 more had their bytes there already." in first.stdout
    db.session.expire_all()
    assert [d.stored_name for d in db.session.scalars(select(Document))] == [None, None, None]
    assert list(legacy.folder.iterdir()) == []  # removed once the move was committed
    assert b"".join(document_store.open(annex.sha256)) == PDF + b"annex" and same.sha256 == contract.sha256
    after = client.get(f"/applications/{contract.application_id}/documents/{contract.id}")
    assert after.status_code == 200 and after.data == PDF + b"contract"

    # Interrupted after a commit, before its file went: the next run removes the leftover, moves nothing twice.
    (legacy.folder / "interrupted.pdf").write_bytes(PDF + b"annex")
    later = legacy("later.pdf", PDF + b"later")
    second = flask_cli(worker_env, "documents", "migrate")
    assert second.returncode == 0, second.stderr
    assert ("Moved 1 document into the store; 0 more had their bytes there already; removed 1 leftover file "
            "whose bytes it holds.") in second.stdout
    assert list(legacy.folder.iterdir()) == [] and document_store.exists(later.sha256)

    verified = flask_cli(worker_env, "documents", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "Every stored document reads back to its sha256." in verified.stdout


def test_migrate_refuses_a_file_whose_hash_differs_and_names_its_document(legacy, db, worker_env):
    good = legacy("ntn.pdf", PDF + b"ntn")
    tampered = legacy("deed.pdf", PDF + b"changed on the disk", recorded=PDF + b"deed as uploaded")
    lost = legacy("lost.pdf", PDF + b"lost")
    (legacy.folder / lost.stored_name).unlink()
    result = flask_cli(worker_env, "documents", "migrate")
    assert result.returncode == 1
    assert (f"of document {tampered.id} ('deed.pdf' on application {tampered.application_id}) hashes to "
            f"{hashlib.sha256(PDF + b'changed on the disk').hexdigest()}, not the {tampered.sha256} recorded at "
            "upload: left in place, not stored.") in result.stderr
    assert (f"of document {lost.id} ('lost.pdf' on application {lost.application_id}) is missing, and the store "
            "does not hold its bytes.") in result.stderr
    assert "2 documents not moved; see above." in result.stderr
    db.session.expire_all()
    assert db.session.get(Document, good.id).stored_name is None and document_store.exists(good.sha256)
    assert db.session.get(Document, tampered.id).stored_name == tampered.stored_name  # left as it was
    assert (legacy.folder / tampered.stored_name).read_bytes() == PDF + b"changed on the disk"
    assert not document_store.exists(tampered.sha256)
    assert not document_store.exists(hashlib.sha256(PDF + b"changed on the disk").hexdigest())
    again = flask_cli(worker_env, "documents", "migrate")
    assert again.returncode == 1 and "Moved 0 documents" in again.stdout and "deed.pdf" in again.stderr


def test_verify_finds_a_corrupted_chunk_and_a_missing_one(legacy, db, worker_env):
    document = legacy("contract.pdf", PDF + b"contract")
    big = legacy("scan.pdf", PDF + b"0" * (2 * document_store.CHUNK_BYTES))
    assert flask_cli(worker_env, "documents", "migrate").returncode == 0
    db.session.execute(update(DocumentChunk).where(DocumentChunk.sha256 == document.sha256)
                       .values(data=PDF + b"contrXct"))
    db.session.execute(DocumentChunk.__table__.delete().where(DocumentChunk.sha256 == big.sha256,
                                                              DocumentChunk.seq == 1))
    db.session.commit()
    result = flask_cli(worker_env, "documents", "verify")
    assert result.returncode == 1
    named = f"document {document.id} ('contract.pdf' on application {document.application_id})"
    assert (f"Blob {document.sha256}: its bytes hash to {hashlib.sha256(PDF + b'contrXct').hexdigest()}; "
            f"named by {named}.") in result.stderr
    assert f"Blob {big.sha256}: pieces [1] are missing; named by document {big.id}" in result.stderr
    assert "2 problems in the document store." in result.stderr


def test_migrate_moves_files_into_an_s3_bucket(legacy, db, worker_env, s3_store, client, login):
    contract = legacy("contract.pdf", PDF + b"contract")
    big = legacy("scan.pdf", PDF + b"0" * (2 * document_store.CHUNK_BYTES))
    same = legacy("contract copy.pdf", PDF + b"contract")
    env = {**worker_env, **s3_store.env}
    result = flask_cli(env, "documents", "migrate")
    assert result.returncode == 0, result.stderr
    assert "Moved 2 documents into the store; 1 more had their bytes there already." in result.stdout
    assert sorted(s3_store.keys()) == sorted([s3_store.key(contract.sha256), s3_store.key(big.sha256)])
    assert s3_store.read(big.sha256) == PDF + b"0" * (2 * document_store.CHUNK_BYTES)
    assert list(legacy.folder.iterdir()) == [] and same.sha256 == contract.sha256
    db.session.expire_all()
    assert [d.stored_name for d in db.session.scalars(select(Document))] == [None, None, None]
    login(db.session.get(Application, big.application_id).applicant)
    download = client.get(f"/applications/{big.application_id}/documents/{big.id}")
    assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == big.sha256
    verified = flask_cli(env, "documents", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "Every stored document reads back to its sha256." in verified.stdout
    assert "named by no document" not in verified.stdout
