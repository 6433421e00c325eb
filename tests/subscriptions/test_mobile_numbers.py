"""Pakistani mobile numbers are read strictly in one place: every usual spelling in, E.164 out."""
import pytest

from app.services.pakistani_numbers import NotAMobileNumber, mobile_e164, mobile_national


@pytest.mark.parametrize("typed", [
    "0300-1234567", "03001234567", "0300 1234567", "(0300) 1234567", "+92 300 1234567", "+92-300-1234567",
    "+923001234567", "923001234567", "92 300 1234567", "0092 300 1234567", "00923001234567", "3001234567",
    "۰۳۰۰-۱۲۳۴۵۶۷", "٠٣٠٠١٢٣٤٥٦٧", " 0300.1234567 ",
])
def test_every_usual_spelling_is_stored_as_e164(typed):
    assert mobile_e164(typed) == "+923001234567"
    assert mobile_national(mobile_e164(typed)) == "0300-1234567"


@pytest.mark.parametrize("typed, says", [
    ("042-35761234", "'042-35761234' is a landline or not a mobile number"),
    ("+92 42 35761234", "is a landline or not a mobile number"),
    ("021-111-222-333", "is a landline or not a mobile number"),
    ("+44 20 7946 0958", "'+44 20 7946 0958' is not a Pakistani number (+92)"),
    ("+1 415 555 0100", "is not a Pakistani number (+92)"),
    ("0300-123456", "'0300-123456' has 10 digits; a Pakistani mobile number has 11"),
    ("0300-12345678", "has 12 digits; a Pakistani mobile number has 11"),
    ("0371-1234567", "is not a Pakistani mobile number (they start 030 to 036)"),
    ("0300-12E4567", "'0300-12E4567' is not a phone number: type its digits"),
    ("call me", "is not a phone number"),
    ("", "Give the mobile number, e.g. 0300-1234567."),
    ("   ", "Give the mobile number"),
])
def test_landlines_foreign_short_long_and_malformed_numbers_are_refused_naming_them(typed, says):
    with pytest.raises(NotAMobileNumber) as refused:
        mobile_e164(typed)
    assert says in str(refused.value) and "0300-1234567" in str(refused.value)  # and an example to follow
