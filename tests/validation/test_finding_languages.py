"""Findings are written once, by the worker or a draft's save, and read later in the reader's language: the
English stays in `message` (the API's default, the search), the words as Phrases in `phrases`."""
import json
import re

from flask_babel import force_locale
from sqlalchemy import select

from app.addresses import classify, parse_entry
from app.addresses import codes as address_codes
from app.choices import FindingCode, State
from app.extensions import queues
from app.i18n import FSI, PDI, Phrase
from app.jobs.validation import validate_applications
from app.models import Finding
from app.queues import VALIDATION
from app.services.validation.checks import isp as isp_check
from app.services.validation.checks.endpoints import _special_space
from app.services.validation.prechecks import run_prechecks

URDU = re.compile("[\u0600-\u06ff]")
CROSSING = "39.32.12.128-39.32.13.10"
ENGLISH = (f"'{CROSSING}' cannot be whitelisted for you as it stands: part of it is not available. Remove it, or "
           "explain to the reviewer (with your ISP's allocation letter) why it is yours.")


def _validated_overlap(db, make_application, run_worker):
    approved = make_application(["39.32.12.0/24"], state=State.APPROVED)
    crossing = make_application([CROSSING])
    queues.queue(VALIDATION).enqueue(validate_applications, [crossing.id])
    run_worker()
    db.session.expire_all()
    finding = db.session.scalar(select(Finding).where(Finding.application_id == crossing.id,
                                                      Finding.code == FindingCode.OVERLAP_APPROVED))
    return approved, crossing, finding


def test_a_validated_finding_keeps_its_english_and_reads_in_urdu(app, db, make_application, run_worker):
    approved, _, finding = _validated_overlap(db, make_application, run_worker)
    assert finding.message == ENGLISH  # the column, as before
    assert finding.reviewer_message.startswith(f"'{CROSSING}' overlaps space approved for another applicant "
                                               f"(application {approved.id})")
    assert finding.phrases["message"] == {"msgid": finding.phrases["message"]["msgid"],
                                          "params": {"entry": CROSSING}}
    # Nobody's language chosen: English, for the applicant and the reviewer alike.
    assert finding.message_for(reviewer=False) == ENGLISH
    assert finding.message_for(reviewer=True) == finding.reviewer_message
    # A request of its own (as each is, in its own app context), asking for Urdu.
    with app.app_context(), app.test_request_context("/?lang=ur"):
        applicant, reviewer = finding.message_for(reviewer=False), finding.message_for(reviewer=True)
    for urdu in (applicant, reviewer):
        assert URDU.search(urdu) and f"{FSI}{CROSSING}{PDI}" in urdu  # the range verbatim, kept in its order
        assert "whitelisted" not in urdu
    assert f"{FSI}{approved.id}{PDI}" in reviewer and f"{FSI}{approved.id}{PDI}" not in applicant
    with force_locale("ur"):
        assert finding.message_for(reviewer=False) == applicant
    with app.app_context(), app.test_request_context("/?lang=en"):
        assert finding.message_for(reviewer=False) == ENGLISH


def test_the_api_gives_the_finding_in_the_language_asked_for(db, make_application, run_worker, api):
    _, crossing, _ = _validated_overlap(db, make_application, run_worker)
    client, url = api(crossing.applicant), f"/api/v1/applications/{crossing.id}"

    def messages(**headers):
        body = client.get(url, headers=headers).json
        return [f["message"] for e in body["entries"] for f in e["findings"]
                if f["code"] == FindingCode.OVERLAP_APPROVED]

    assert messages() == [ENGLISH]
    [urdu] = messages(**{"Accept-Language": "ur"})
    assert URDU.search(urdu) and CROSSING in urdu


def test_a_draft_saved_in_urdu_still_stores_english(app, db, make_application):
    draft = make_application(["39.32.12.0/24", "39.32.12.0/25"], state=State.DRAFT,
                             endpoints=[("10.0.0.1", "wireguard", 70000)])
    with force_locale("ur"):  # as in the applicant's Urdu request that saves the draft
        run_prechecks(draft)
        db.session.commit()
        found = {f.code: f for f in draft.findings}
        urdu = {code: f.message_for(reviewer=False) for code, f in found.items()}
    assert found[FindingCode.DUPLICATE_ENTRY].message == ("'39.32.12.0/25' overlaps '39.32.12.0/24' in this "
                                                           "application; the two are merged.")
    assert found[FindingCode.DOCUMENT_MISSING].message == ("The NTN certificate this category needs is missing; "
                                                            "upload it before submitting.")
    assert found[FindingCode.ENDPOINT_PORT].message == "Port 70000 of 10.0.0.1 is not from 1 to 65535."
    assert found[FindingCode.ENDPOINT_SPECIAL].message.startswith("Endpoint 10.0.0.1: '10.0.0.1' lies in 10.0.0.0/8")
    for code, finding in found.items():
        assert not URDU.search(finding.message + (finding.reviewer_message or "")), code
        assert finding.phrases and URDU.search(urdu[code]), code
    assert f"{FSI}39.32.12.0/25{PDI}" in urdu[FindingCode.DUPLICATE_ENTRY]


def test_an_endpoint_in_special_space_says_what_the_address_engine_says(app):
    class Endpoint:
        id = None

    for host in ("10.0.0.1", "192.0.2.7", "::1", "fe80::1", "100.64.0.1", "4000::1"):
        endpoint = Endpoint()
        endpoint.host = host
        drafts = list(_special_space(endpoint))
        found = [f for f in classify(parse_entry(host), geo=False)
                 if f.code in (address_codes.SPECIAL_PURPOSE, address_codes.NOT_GLOBAL_UNICAST)]
        assert [d.message for d in drafts] == [f"Endpoint {host}: {f.message}" for f in found], host
        assert [d.reviewer_message for d in drafts] == [f"Endpoint {host}: {f.reviewer_message or f.message}"
                                                        for f in found], host
        assert drafts and all(d.phrases for d in drafts), host


def test_each_organisations_answer_has_a_sentence_for_every_shape_of_its_part():
    nouns = {"S": "subscriber id %(subscriber_id)s", 1: ("mobile number", "mobile numbers"),
             2: ("account", "accounts")}
    for (subscriber, mobiles, accounts), (confirmed, disputed, awaited) in isp_check._ANSWERS.items():
        parts = [nouns["S"]] if subscriber else []
        parts += [f"{nouns[1][mobiles - 1]} %(mobile_numbers)s"] if mobiles else []
        parts += [f"{nouns[2][accounts - 1]} %(accounts)s"] if accounts else []
        part, one = " and ".join(parts), subscriber + mobiles + accounts == 1
        connection = "is the applicant's connection" if one else "are the applicant's connections"
        assert confirmed.msgid == f"%(isp)s confirmed that {part} {connection}."
        assert disputed.msgid == f"%(isp)s disputed {part}: “%(reason)s”"
        assert awaited.msgid == f"Awaiting %(isp)s's confirmation of {part}."
    assert len(isp_check._ANSWERS) == 2 * 3 * 3 - 1


def test_the_address_engines_findings_keep_their_english_and_read_in_urdu(app, db, make_application):
    """Private space and a range too broad: the address engine's words, stored as Phrases by the checks."""
    draft = make_application(["10.0.0.0/8", "8.0.0.0/8"], state=State.DRAFT)
    run_prechecks(draft)
    db.session.commit()
    inputs = {entry.id: entry.input for entry in draft.entries}
    found = {(inputs[f.entry_id], f.code): f for f in draft.findings if f.entry_id}
    private, broad = "'10.0.0.0/8' lies in 10.0.0.0/8 (Private-Use, RFC 1918)", "holds 16,777,216 addresses"
    english = {
        ("10.0.0.0/8", address_codes.SPECIAL_PURPOSE): (
            f"{private}, a special-purpose block that no organisation can be whitelisted for; remove that part.",
            f"{private}, a special-purpose block that no organisation can be whitelisted for."),
        ("10.0.0.0/8", address_codes.TOO_BROAD): (
            f"'10.0.0.0/8' {broad}, more than a /22 (1,024); list only the addresses you use.",
            f"'10.0.0.0/8' {broad}, more than a /22 (1,024); it cannot be whitelisted anyway (special-purpose space)."),
        ("8.0.0.0/8", address_codes.TOO_BROAD): (
            f"'8.0.0.0/8' {broad}, more than a /22 (1,024); list only the addresses you use, or ask a reviewer to "
            "allow it.",
            f"'8.0.0.0/8' {broad}, more than a /22 (1,024); override it only if the applicant's use needs the whole "
            "range."),
    }
    assert {key: (f.message, f.reviewer_message) for key, f in found.items()} == english
    assert {key: (f.message_for(reviewer=False), f.message_for(reviewer=True)) for key, f in found.items()} == english
    with force_locale("ur"):
        urdu = {key: (f.message_for(reviewer=False), f.message_for(reviewer=True)) for key, f in found.items()}
    for (entry, code), sentences in urdu.items():
        for sentence in sentences:
            assert URDU.search(sentence) and "whitelisted" not in sentence, (entry, code)
            assert f"{FSI}{entry}{PDI}" in sentence, (entry, code)  # the range verbatim, kept in its order
    applicant, reviewer = urdu["10.0.0.0/8", address_codes.SPECIAL_PURPOSE]
    assert f"{FSI}Private-Use{PDI}" in applicant and f"{FSI}RFC 1918{PDI}" in reviewer  # IANA's name, as IANA has it
    assert f"{FSI}/22{PDI}" in urdu["8.0.0.0/8", address_codes.TOO_BROAD][0]


def test_a_summary_names_its_pieces_in_the_readers_language(app):
    [mixed] = [f for f in classify(parse_entry("39.63.255.0-39.64.0.255")) if f.code == address_codes.COUNTRY_MIXED]
    stored = Phrase.from_json(json.loads(json.dumps(mixed.phrase.to_json())))  # as the database gives it back
    assert stored == mixed.phrase and stored.english == mixed.message
    assert "(39.63.255.0-39.63.255.255: Pakistan (PK); 39.64.0.0-39.64.0.255: China (CN))." in mixed.message
    with force_locale("ur"):
        urdu = str(stored)
    assert URDU.search(urdu) and "countries" not in urdu
    assert f"{FSI}{FSI}39.63.255.0-39.63.255.255{PDI}: {FSI}Pakistan{PDI} ({FSI}PK{PDI}); " in urdu
    gap = Phrase("%(range)s: no country in the data", range="39.64.0.0-39.64.0.255")
    with force_locale("ur"):
        assert URDU.search(str(Phrase.from_json(gap.to_json()))) and "country" not in str(gap)
