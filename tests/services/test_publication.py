"""publish(): serials, no-op publications, bodies stored by sha256 and signed."""
import hashlib

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select

from app import audit
from app.models import AuditCheckpoint, WhitelistFile
from app.services.publication import files, signing
from app.services.publication import publish as publication


def test_publish_numbers_versions_and_skips_when_nothing_changed(db, approved_application):
    approved_application(["39.32.0.0/24", "39.32.1.0/24"])
    first = publication.publish("test")
    db.session.commit()
    assert (first.serial, first.entry_count, first.prefix_count) == (1, 2, 1)
    assert publication.publish("again") is None
    approved_application(["2400:adc0:100::/48"])
    second = publication.publish("test")
    db.session.commit()
    assert second.serial == 2
    body = files.body(db.session.get(WhitelistFile, (2, "txt")).sha256)
    assert body == b"39.32.0.0/23\n2400:adc0:100::/48\n"


def test_each_body_is_signed_and_its_version_is_witnessed_by_the_audit_chain(db, approved_application):
    approved_application(["111.68.96.0/24"])
    version = publication.publish("test")
    db.session.commit()
    key = load_pem_public_key(signing.public_key_pem())
    for file in db.session.scalars(select(WhitelistFile)):
        body = files.body(file.sha256)
        assert hashlib.sha256(body).hexdigest() == file.sha256 and len(body) == file.size
        key.verify(file.signature, body)  # raises if the signature does not match
    head = audit.timeline(("whitelist_version", 1))[-1]
    assert (version.audit_head_seq, version.audit_head_hash) == (head.seq, head.hash)
    assert audit.verify_chain().intact


def test_every_published_version_signs_its_head(db, approved_application):
    approved_application(["39.32.0.0/24"])
    version = publication.publish("test")
    db.session.commit()
    checkpoint = db.session.get(AuditCheckpoint, version.audit_head_seq)
    assert checkpoint.hash == version.audit_head_hash
    load_pem_public_key(signing.public_key_pem()).verify(
        checkpoint.signature, f"raasta audit head {checkpoint.seq} {checkpoint.hash}\n".encode())
