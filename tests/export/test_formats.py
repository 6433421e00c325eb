"""What each format says, read back the way its consumer reads it: every CIDR, every row, every name."""
import csv
import io
import json

from hypothesis import given, settings, strategies as st

from app.addresses import AddressRange, aggregate
from app.export import ApprovedRow, Snapshot, render
from app.export.csv import HEADER, render_csv
from app.export.ipset import render_ipset
from app.export.json import render_json
from app.export.txt import render_txt
from app.spreadsheet import safe_cell
from tests.export.conftest import FORMULA, HASH, PUBLISHED, ROWS, URDU

PROPERTY = settings(max_examples=80, deadline=None)


def _ranges(version, bits):
    edge = st.integers(0, (1 << bits) - 1)
    return st.builds(lambda a, b: AddressRange(version, min(a, b), max(a, b)), edge, edge)


def _csv_module(snapshot):
    """What Python's csv.writer writes for the same defused rows: render_csv must be byte-identical."""
    def defused(text):
        return safe_cell(text)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows((r.cidr, r.application_id, defused(r.applicant), defused(r.category), r.approved_at,
                      r.expires_at) for r in snapshot.rows())
    return buffer.getvalue().encode()


def _snapshot(cidrs, names=("Indus Soft",)):
    rows = [ApprovedRow(cidr, n + 1, names[n % len(names)], "company_vpn", "2024-03-01T10:15:00+00:00", "")
            for n, cidr in enumerate(cidrs)]
    return Snapshot.from_rows(1, PUBLISHED, rows, cidrs, 1, HASH)


@PROPERTY
@given(st.lists(st.one_of(_ranges(4, 32), _ranges(6, 128)), max_size=30))
def test_txt_lines_are_the_snapshot_cidrs_and_every_router_format_names_each_once(ranges):
    cidrs = aggregate(ranges)
    snapshot = _snapshot(cidrs)
    v4, v6 = snapshot.families()
    assert v4 + v6 == cidrs and all(":" not in c for c in v4) and all(":" in c for c in v6)
    assert render_txt(snapshot).decode().splitlines() == cidrs
    ipset = render("ipset", snapshot).decode().splitlines()
    assert [line.split()[2] for line in ipset if line.startswith("add raasta-v4-new ")] == v4
    assert [line.split()[2] for line in ipset if line.startswith("add raasta-v6-new ")] == v6
    nft = render("nft", snapshot).decode().splitlines()
    assert [line.strip("\t,") for line in nft if line.startswith("\t") and line.endswith(",")] == cidrs
    cisco = render("cisco", snapshot).decode().splitlines()
    assert [line.split()[-1] for line in cisco if " permit " in line] == cidrs
    assert [int(line.split()[4]) for line in cisco if line.startswith("ip prefix-list") and " permit " in line] \
        == list(range(5, 5 * len(v4) + 1, 5))
    mikrotik = render("mikrotik", snapshot).decode().splitlines()
    assert [line.split("address=")[1] for line in mikrotik if line.startswith("add ")] == cidrs


def test_csv_reads_back_as_the_rows_with_formulas_defused(snapshot):
    body = render_csv(snapshot)
    assert body == _csv_module(snapshot)
    assert body.startswith(b"cidr,application_id,applicant,category,approved_at,expires_at\r\n")
    table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert tuple(table[0]) == HEADER
    expected = [[r.cidr, str(r.application_id), "'" + r.applicant if r.applicant == FORMULA else r.applicant,
                 r.category, r.approved_at, r.expires_at] for r in ROWS]
    assert table[1:] == expected
    assert URDU.encode() in body and b"\xef\xbb\xbf" not in body   # UTF-8 as typed, no byte-order mark


@PROPERTY
@given(st.lists(st.text(max_size=12), min_size=1, max_size=6))
def test_any_name_survives_csv_and_json_and_never_starts_a_formula(names):
    snapshot = _snapshot(["39.32.0.0/24", "39.32.1.0/24", "2400:adc0::/32"], tuple(names))
    body = render_csv(snapshot)
    assert body == _csv_module(snapshot)
    cells = [row[2] for row in csv.reader(io.StringIO(body.decode(), newline=""))][1:]
    for cell, row in zip(cells, snapshot.rows(), strict=True):
        assert cell == safe_cell(row.applicant)
        assert not cell.startswith(tuple("=+-@\t\r"))
    entries = json.loads(render_json(snapshot))["entries"]
    assert [e["applicant"] for e in entries] == [row.applicant for row in snapshot.rows()]


def test_json_carries_the_version_its_prefixes_and_its_rows(snapshot):
    document = json.loads(render_json(snapshot))
    assert list(document) == ["syncToken", "createDate", "serial", "published_at", "counts", "audit_head",
                              "prefixes", "entries"]
    assert document["syncToken"] == "7" and document["serial"] == 7
    assert document["createDate"] == "2024-03-14-09-26-53"
    assert document["published_at"] == "2024-03-14T09:26:53+00:00"
    assert document["counts"] == {"entries": 6, "prefixes": 5, "ipv4_prefixes": 3, "ipv6_prefixes": 2}
    assert document["audit_head"] == {"seq": 4242, "hash": HASH}
    assert document["prefixes"] == snapshot.cidrs
    assert document["entries"][2] == {"cidr": "111.68.96.7/32", "application_id": 102, "applicant": FORMULA,
                                      "category": "freelancer_vpn", "approved_at": "2024-03-01T10:15:00+00:00",
                                      "expires_at": None}
    assert [tuple(e.values()) for e in document["entries"]] == [
        tuple(None if v == "" else v for v in row) for row in ROWS]


def test_json_is_utf8_and_names_are_not_escaped(snapshot):
    assert URDU.encode("utf-8") in render_json(snapshot)


def test_a_naive_publication_time_is_read_as_utc(snapshot):
    naive = snapshot._replace(published_at=PUBLISHED.replace(tzinfo=None))
    assert render_json(naive) == render_json(snapshot)


def test_ipset_sizes_its_hash_to_the_list_and_keeps_maxelem_fixed():
    small = render_ipset(_snapshot(["39.32.0.0/24"])).decode()
    big = render_ipset(_snapshot([f"10.{n >> 8}.{n & 255}.0/24" for n in range(5000)])).decode()
    assert "hashsize 1024 maxelem 16777216" in small
    assert "hashsize 8192 maxelem 16777216" in big
