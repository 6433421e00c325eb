"""Emails, notifications and SMS go out in the recipient's language (`User.language`; None: English), whoever's
request or job sends them: an Urdu-speaking applicant reads Urdu, an English one the English as it always was."""
import re
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from app.choices import State
from app.i18n import _l
from app.models import Notification, User
from app.services.notifications import notify_staff
from app.services.review import batches
from app.services.review import decisions as review
from app.services.subscriptions.code_sms import code_message
from tests.subscriptions.conftest import FREELANCER, MOBILE

URDU_LETTERS = re.compile(r"[\u0600-\u06FF]")


def _speaks(db, user, language) -> None:
    db.session.get(User, user.id).language = language
    db.session.commit()


def _notes(db, user) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def _emails(app) -> dict[str, list]:
    """Recipient -> the emails the mail job wrote under instance/mail, parsed."""
    found: dict[str, list] = {}
    for path in sorted((Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found.setdefault(message["To"], []).append(message)
    return found


def _urdu(text: str) -> bool:
    return bool(URDU_LETTERS.search(text))


def test_the_state_notification_and_its_email_are_in_each_applicants_language(app, db, make_user, make_applicant,
                                                                              make_reviewable, run_worker):
    urdu, english = make_applicant(name="Urdu Soft"), make_applicant(name="English Soft")
    _speaks(db, urdu, "ur")
    rejected_ur = make_reviewable(["39.32.0.0/24"], applicant=urdu)
    rejected_en = make_reviewable(["39.32.1.0/24"], applicant=english)
    reviewer = make_user("reviewer")
    review.reject(rejected_ur, "The documents do not match.", reviewer)       # notify_state
    review.reject(rejected_en, "The documents do not match.", reviewer)
    db.session.commit()
    approved_ur = make_reviewable(["39.32.2.0/24"], applicant=urdu)
    approved_en = make_reviewable(["39.32.3.0/24"], applicant=english)
    batch = batches.create_batch([approved_ur.id, approved_en.id], reviewer)
    db.session.commit()
    batches.approve_batch(batch, make_user("reviewer"))                        # notify_state_many
    db.session.commit()

    ur_notes, en_notes = _notes(db, urdu), _notes(db, english)
    assert [(n.subject, n.body) for n in en_notes] == [
        (f"Application {rejected_en.id} was rejected",
         f"Application {rejected_en.id} was rejected: The documents do not match."),
        (f"Application {approved_en.id} is approved",
         f"Application {approved_en.id} is approved. ISPs pick it up with the next whitelist.")]
    assert len(ur_notes) == 2
    for note, english_note in zip(ur_notes, en_notes):
        assert _urdu(note.subject) and _urdu(note.body)  # stored as rendered, in Urdu
        assert note.subject != english_note.subject.replace(str(rejected_en.id), str(rejected_ur.id))
    assert str(rejected_ur.id) in ur_notes[0].subject and "The documents do not match." in ur_notes[0].body
    assert str(approved_ur.id) in ur_notes[1].subject

    run_worker()
    mail = _emails(app)
    for message in mail[english.email]:
        assert message["Subject"].startswith("Raasta: Application ")
        body = message.get_content()
        assert "Open it in Raasta: " in body and "— Raasta, IP and VPN whitelisting" in body
    assert {m["Subject"] for m in mail[english.email]} == {f"Raasta: {n.subject}" for n in en_notes}
    assert len(mail[urdu.email]) == 2
    for message in mail[urdu.email]:
        body = message.get_content()
        assert _urdu(message["Subject"]) and _urdu(body)
        assert "Open it in Raasta" not in body and "IP and VPN whitelisting" not in body
        assert "/applications/" in body  # the link itself stays as it is


def test_staff_are_told_each_in_their_own_language(db, make_user):
    urdu, english = make_user("reviewer"), make_user("admin")
    _speaks(db, urdu, "ur")
    ids = notify_staff(_l("Application %(id)s: %(isp)s now confirms the subscriber id", id=7, isp="PTCL"),
                       _l("The approval of application %(id)s was revoked: %(message)s", id=7, message="test"),
                       link="/review/applications/7")
    db.session.commit()
    assert len(ids) >= 2
    (english_note,), (urdu_note,) = _notes(db, english), _notes(db, urdu)
    assert english_note.subject == "Application 7: PTCL now confirms the subscriber id"
    assert english_note.body == "The approval of application 7 was revoked: test"
    assert _urdu(urdu_note.subject) and _urdu(urdu_note.body) and "PTCL" in urdu_note.subject
    assert urdu_note.link == english_note.link == "/review/applications/7"


def test_the_code_sms_is_in_the_language_of_who_asked_for_it(applicant_with, make_user, api, app, db, run_worker):
    english_text, urdu_text = code_message("123456"), code_message("123456", "ur")
    assert english_text == ("Raasta code: 123456. Type it on Raasta to prove this mobile number is yours; it works for "
                            "10 minutes. If you did not ask for this, ignore it.")
    assert _urdu(urdu_text) and "123456" in urdu_text and "Raasta" in urdu_text

    freelancer = applicant_with(FREELANCER)
    urdu_speaker = make_user(role="applicant")
    _speaks(db, urdu_speaker, "ur")
    urdu = api(urdu_speaker)
    assert urdu.put("/api/v1/profile", json={**FREELANCER, "cnic": "35202-1111111-1"}).status_code == 200
    for client, number in ((freelancer, MOBILE["identifier"]), (urdu, "0301-7654321")):
        draft = client.post("/api/v1/applications", json={
            "purpose": "Freelance work over 4G", "category": "freelancer_vpn",
            "subscriptions": [{**MOBILE, "identifier": number}]}).json
        url = f"/api/v1/applications/{draft['id']}/subscriptions/{draft['subscriptions'][0]['id']}/code"
        assert client.post(url).status_code == 202
    run_worker()
    folder = Path(app.config["INSTANCE_DIR"]) / "sms"
    (english_sms,) = [p.read_text() for p in folder.glob("923001234567-*.txt")]
    (urdu_sms,) = [p.read_text() for p in folder.glob("923017654321-*.txt")]
    assert "10 minutes. If you did not ask for this, ignore it." in english_sms and not _urdu(english_sms)
    assert _urdu(urdu_sms) and "If you did not ask for this" not in urdu_sms
    assert len(re.findall(r"(?<!\d)\d{6}(?!\d)", urdu_sms)) == 1  # the code, the only six digits in it


def test_a_state_change_told_to_an_urdu_applicant_keeps_english_for_everyone_else(db, make_applicant,
                                                                                  make_reviewable, make_user):
    """Rendering in the recipient's language leaves the request's own language alone."""
    urdu = make_applicant()
    _speaks(db, urdu, "ur")
    application = make_reviewable(["39.32.0.0/24"], applicant=urdu)
    review.request_information(application, "Add the contract.", make_user("reviewer"))
    db.session.commit()
    (note,) = _notes(db, urdu)
    assert _urdu(note.body) and "Add the contract." in note.body
    assert application.state == State.NEEDS_INFO
    assert str(_l("Application %(id)s is approved", id=1)) == "Application 1 is approved"  # still English here
