"""CNIC, NTN and phone numbers as Pakistanis write them, tidied into one stored form.

Digits typed on an Urdu or Arabic keyboard (۱۲۳ / ١٢٣) are read as 0-9 first: stored as typed, the
same NTN would be two different strings, and the shared-NTN check would miss it. A number that still
has anything but digits, spaces, dashes, dots, brackets or a leading + is left as typed, for the
caller to refuse.
"""
import re
import unicodedata

from app.i18n import _

_SEPARATORS = re.compile(r"[\s\-.()/]+")
# The eleven cities whose area code has two digits after the 0; the rest have three (and are left unsplit
# when typed without a dash, rather than split in the wrong place).
_TWO_DIGIT_AREAS = {"21", "22", "41", "42", "51", "52", "55", "61", "71", "81", "91"}


def ascii_digits(text: str) -> str:
    """`text` with every Unicode decimal digit (Urdu, Arabic-Indic, full-width ...) as 0-9."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _digits(text: str) -> str | None:
    """Only the digits of `text`, or None when it holds anything but digits and separators."""
    text = ascii_digits(text).strip()
    bare = _SEPARATORS.sub("", text)
    return bare if bare.isascii() and bare.isdigit() else None


def tidy_cnic(text: str) -> str:
    """3520212345671 or 35202 1234567 1 -> 35202-1234567-1; anything else unchanged (ASCII digits)."""
    digits = _digits(text)
    if digits is None or len(digits) != 13:
        return ascii_digits(text).strip()
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def tidy_ntn(text: str) -> str:
    """12345678 or 1234567 8 -> 1234567-8; anything else unchanged (ASCII digits)."""
    digits = _digits(text)
    if digits is None or len(digits) != 8:
        return ascii_digits(text).strip()
    return f"{digits[:7]}-{digits[7]}"


def tidy_phone(text: str) -> str:
    """+92 300 1234567, 0092-300-1234567 -> 0300-1234567; UAN (021) 111 222 333 -> 021-111-222-333;
    landlines 042 35761234 -> 042-35761234. Anything unrecognised comes back as typed (ASCII digits)."""
    typed = ascii_digits(text).strip()
    international = re.match(r"^(\+|00)\s*92[\s\-.()]*", typed)
    national = ("0" + typed[international.end():]) if international else typed
    digits = _digits(national)
    if digits is None or not digits.startswith("0"):
        return typed
    if re.fullmatch(r"03\d{9}", digits):
        return f"{digits[:4]}-{digits[4:]}"
    uan = re.fullmatch(r"(0\d{2,3})111(\d{3})(\d{3})", digits)
    if uan:
        return f"{uan[1]}-111-{uan[2]}-{uan[3]}"
    if not 10 <= len(digits) <= 11:
        return typed
    area = re.match(r"^\(?(0\d{2,4})\)?[\s\-.]", national)  # the applicant's own split, when there is one
    if area and len(area[1]) <= len(digits) - 5:
        return f"{area[1]}-{digits[len(area[1]):]}"
    if digits[1:3] in _TWO_DIGIT_AREAS:
        return f"{digits[:3]}-{digits[3:]}"
    return digits


PHONE_FORMAT = re.compile(r"^03\d{2}-\d{7}$|^0\d{2,3}-111-\d{3}-\d{3}$|^0\d{2,4}-?\d{5,8}$")


def phone_ok(tidied: str) -> bool:
    """A tidied number that is a Pakistani mobile, UAN or landline (10 or 11 digits, or a UAN's 12-13)."""
    digits = tidied.replace("-", "")
    return bool(PHONE_FORMAT.match(tidied)) and (10 <= len(digits) <= 11 or "-111-" in tidied)


class NotAMobileNumber(ValueError):
    """Why a typed number is not a Pakistani mobile number, in words that quote it and say what to type."""


MOBILE_EXAMPLE = "0300-1234567"
# 03 then a network code of 00-69 (Jazz 30x/32x, Zong 31x, Ufone 33x, Telenor 34x, SCO 355...), then 7 digits.
# The network code says who first issued the number, not who serves it now: numbers move between operators.
_MOBILE = re.compile(r"3[0-6]\d{8}")


def mobile_e164(typed: str) -> str:
    """A Pakistani mobile number in any usual spelling as E.164: 0300-1234567, 03001234567, +92 300 1234567,
    923001234567, 0092 300 1234567, in Urdu or Arabic-Indic digits too -> +923001234567.

    Raises NotAMobileNumber for a landline, a foreign number, a short or long one, or anything else, quoting
    what was typed: the caller names it in its error.
    """
    shown = " ".join(str(typed).split())[:40]
    text = ascii_digits(str(typed)).strip()
    if not text:
        raise NotAMobileNumber(_("Give the mobile number, e.g. %(example)s.", example=MOBILE_EXAMPLE))
    international = re.match(r"^(\+|00)", text)
    digits = _digits(text[international.end():] if international else text)
    if digits is None:
        raise NotAMobileNumber(_("'%(number)s' is not a phone number: type its digits, e.g. %(example)s.",
                                 number=shown, example=MOBILE_EXAMPLE))
    if international and not digits.startswith("92"):
        raise NotAMobileNumber(_("'%(number)s' is not a Pakistani number (+92); register a Pakistani mobile number, "
                                 "e.g. %(example)s.", number=shown, example=MOBILE_EXAMPLE))
    if international or (digits.startswith("92") and len(digits) == 12):
        national = digits[2:]          # +92 300 1234567, 923001234567
    elif digits.startswith("0"):
        national = digits[1:]          # 0300 1234567
    else:
        national = digits              # 300 1234567
    if not national.startswith("3"):
        raise NotAMobileNumber(_("'%(number)s' is a landline or not a mobile number; register the mobile number "
                                 "whose SIM you use, e.g. %(example)s.", number=shown, example=MOBILE_EXAMPLE))
    if len(national) != 10:  # counted as written at home, with the leading 0
        raise NotAMobileNumber(_("'%(number)s' has %(digits)s digits; a Pakistani mobile number has 11, "
                                 "e.g. %(example)s.", number=shown, digits=len(national) + 1, example=MOBILE_EXAMPLE))
    if not _MOBILE.fullmatch(national):
        raise NotAMobileNumber(_("'%(number)s' is not a Pakistani mobile number (they start 030 to 036), e.g. "
                                 "%(example)s.", number=shown, example=MOBILE_EXAMPLE))
    return "+92" + national


def mobile_national(e164: str) -> str:
    """+923001234567 -> 0300-1234567, as Pakistanis write it."""
    return f"0{e164[3:6]}-{e164[6:]}"
