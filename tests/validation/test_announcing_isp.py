"""A warning when an entry is announced by another ISP than the profile's; silence where the data cannot say."""
import pytest

from app.choices import FindingCode, Severity
from app.services.profiles import ProfileInput, save_profile
from app.services.validation.checks import CHECKS, CheckContext
from app.services.validation.checks.announcement import ANNOUNCERS, check_announcing_isp


def _drafts(db, make_application, make_user, isp, entries):
    user = make_user()
    save_profile(user, ProfileInput(kind="firm", name="Indus Soft", city="Lahore", ntn="1234567-8", isp_name=isp,
                                    isp_subscriber_id="S-1"))
    db.session.commit()
    application = make_application(entries, applicant=user)
    return list(check_announcing_isp(CheckContext(application, register=None, max_prefix_v4=22, max_prefix_v6=32)))


def test_a_range_of_another_pakistani_isp_is_a_warning_naming_both(db, make_application, make_user):
    [draft] = _drafts(db, make_application, make_user, "Nayatel", ["39.32.12.0/24", "58.65.128.0/24"])
    assert (draft.code, draft.severity) == (FindingCode.OTHER_ISP, Severity.WARNING)
    assert draft.message.startswith("'39.32.12.0/24' is announced by Pakistan Telecommunication Company Limited, "
                                    "not by Nayatel, the ISP in your profile.")
    assert draft.data == {"announced_by": ["Pakistan Telecommunication Company Limited"]}
    # The reviewer reads it in words written for them, not the applicant's "your profile".
    assert draft.reviewer_message.startswith("'39.32.12.0/24' is announced by Pakistan Telecommunication Company "
                                             "Limited, not by Nayatel, the ISP in the applicant's profile.")
    assert "your" not in draft.reviewer_message and "read the applicant's note on the entry" in draft.reviewer_message


@pytest.mark.parametrize("isp, entries", [
    ("ptcl", ["39.32.12.0/24"]),                 # the profile's own ISP, in any case
    ("StormFiber", ["2400:adc0:100::/48"]),      # a brand announced under its company's name (Cybernet)
    ("Qubee Wireless", ["39.32.12.0/24"]),       # an ISP whose announcing names are not known: no guess
    ("Nayatel", ["8.8.8.0/24"]),                 # foreign space has its own warning, not this one
])
def test_silence_where_it_matches_or_the_data_cannot_say(db, make_application, make_user, isp, entries):
    assert _drafts(db, make_application, make_user, isp, entries) == []


def test_the_check_runs_in_the_queue_and_the_table_has_the_picker_names():
    assert check_announcing_isp in CHECKS
    assert {"ptcl", "nayatel", "stormfiber", "jazz", "zong", "telenor"} <= set(ANNOUNCERS)
