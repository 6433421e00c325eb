"""Payment references: 17 digits, the first 16 random (the first of them never 0, so the number keeps its 17 digits
in any spreadsheet), the last a Luhn check digit, as bank payment slips carry. Random, so a reference cannot be
guessed from another; the check digit catches any one mistyped digit and any two swapped neighbours but 09/90
before any lookup. Luhn rather than ISO 7064 mod 97-10: one digit, as a 17-digit slip number leaves room for."""
import secrets

REFERENCE_DIGITS = 17


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of `digits` (ISO/IEC 7812-1): the digit that makes the whole number's Luhn sum 0."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: these sit at odd places once the check digit is appended
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)


def new_reference() -> str:
    body = str(secrets.randbelow(9) + 1) + "".join(str(secrets.randbelow(10)) for _ in range(REFERENCE_DIGITS - 2))
    return body + luhn_digit(body)


def normalised(text) -> str | None:
    """`text` as a reference (spaces and dashes people write between groups dropped), or None when it is not one:
    not 17 digits, or its check digit is wrong."""
    if not isinstance(text, str):
        return None
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) != REFERENCE_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return digits if luhn_digit(digits[:-1]) == digits[-1] else None
