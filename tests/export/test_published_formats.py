"""The formats as publication stores them, from rows read back from the database (both backends)."""
import csv
import io
import json
from datetime import datetime, timezone

from app.choices import WhitelistFormat
from app.models import WhitelistFile
from app.services.publication import files
from app.services.publication.publish import publish

NAME = 'Khan & Sons, "Indus Soft" — خان'


def _body(db, serial, fmt) -> bytes:
    return files.body(db.session.get(WhitelistFile, (serial, fmt)).sha256)


def test_a_publication_stores_every_format_with_the_database_rows(db, make_applicant, approved_application):
    firm = approved_application(["39.32.0.0/24", "39.32.1.0/24"], applicant=make_applicant(name=NAME))
    other = approved_application(["2400:adc0:100::/48"], category="call_center")  # default applicant
    version = publish("test")
    db.session.commit()
    bodies = {fmt: _body(db, version.serial, fmt) for fmt in WhitelistFormat.ALL}

    assert bodies["txt"] == b"39.32.0.0/23\n2400:adc0:100::/48\n"
    document = json.loads(bodies["json"])
    assert (document["serial"], document["syncToken"]) == (version.serial, str(version.serial))
    assert datetime.fromisoformat(document["published_at"]) == version.published_at
    assert document["audit_head"] == {"seq": version.audit_head_seq, "hash": version.audit_head_hash}
    assert document["counts"] == {"entries": 3, "prefixes": 2, "ipv4_prefixes": 1, "ipv6_prefixes": 1}
    assert [(e["cidr"], e["application_id"], e["applicant"], e["category"]) for e in document["entries"]] == [
        ("39.32.0.0/24", firm.id, NAME, "company_vpn"), ("39.32.1.0/24", firm.id, NAME, "company_vpn"),
        ("2400:adc0:100::/48", other.id, "Indus Soft (Pvt) Ltd", "call_center")]
    first = document["entries"][0]
    assert datetime.fromisoformat(first["approved_at"]).utcoffset().total_seconds() == 0
    assert datetime.fromisoformat(first["expires_at"]) > datetime.fromisoformat(first["approved_at"])

    table = list(csv.reader(io.StringIO(bodies["csv"].decode(), newline="")))
    assert table[1] == [str(e) for e in document["entries"][0].values()]
    assert b"add raasta-v4-new 39.32.0.0/23\n" in bodies["ipset"]
    assert b"\t2400:adc0:100::/48,\n" in bodies["nft"]
    assert b"ip prefix-list RAASTA-V4 seq 5 permit 39.32.0.0/23\n" in bodies["cisco"]
    assert b"add list=raasta address=2400:adc0:100::/48\n" in bodies["mikrotik"]
    for fmt in ("ipset", "nft", "cisco", "mikrotik"):
        assert f"serial {version.serial}, published {version.published_at.isoformat()}".encode() in bodies[fmt]


def test_the_rows_dates_and_the_content_digest_are_as_the_applications_hold_them(db, make_user,
                                                                                   approved_application):
    """Publication has the database write the dates as text and joins each holder to its CIDRs itself;
    what comes out must be what the ORM's values say: the rows of every version before, and the digest
    that decides whether anything changed (another spelling would re-publish an unchanged list once)."""
    dated = approved_application(["39.32.0.0/24", "39.32.2.0/24"])
    dated.approved_at = datetime(2024, 3, 1, 10, 15, 59, 999_999, tzinfo=timezone.utc)  # truncated, not rounded
    no_expiry = approved_application(["111.68.96.7/32"], applicant=make_user())  # an applicant with no profile
    no_expiry.expires_at = None
    db.session.commit()
    version = publish("test")
    db.session.commit()

    rows = []
    for cidr, application in [("39.32.0.0/24", dated), ("39.32.2.0/24", dated), ("111.68.96.7/32", no_expiry)]:
        db.session.refresh(application)
        applicant = application.applicant.profile.name if application.applicant.profile else application.applicant.email
        rows.append((cidr, application.id, applicant, application.category,
                     application.approved_at.isoformat(timespec="seconds"),
                     application.expires_at.isoformat(timespec="seconds") if application.expires_at else ""))
    table = list(csv.reader(io.StringIO(_body(db, version.serial, "csv").decode(), newline="")))
    assert table[1:] == [[str(field) for field in row] for row in rows]
    assert rows[0][4] == "2024-03-01T10:15:59+00:00"
    entries = json.loads(_body(db, version.serial, "json"))["entries"]
    assert [entry["expires_at"] for entry in entries] == [rows[0][5], rows[0][5], None]
    # The digest of the same rows, read again from scratch, is the same: nothing new to publish.
    assert publish("again") is None and publish("again", full=True) is None
