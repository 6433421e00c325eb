"""CSV cells that a spreadsheet will not run as a formula.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with = + - @ (and tab or carriage
return, which some of them strip first). Every CSV the portal writes passes text through safe_cell(),
which prefixes such a cell with an apostrophe: the spreadsheet shows the text as typed.
"""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def looks_like_formula(value) -> bool:
    """Whether a spreadsheet would run `value` as a formula: what a file uploaded to the portal is checked for."""
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)
