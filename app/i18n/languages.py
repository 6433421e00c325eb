"""The languages Raasta speaks, and which way each is written."""
DEFAULT = "en"
# Code → the language's name in itself, as the switch shows it.
LANGUAGES = {"en": "English", "ur": "اردو"}
RTL = {"ur"}


def direction(code: str) -> str:
    return "rtl" if code in RTL else "ltr"


def best_match(accept_languages, chosen: str | None = None) -> str:
    """`chosen` when it is one we speak, else the best of an Accept-Language header (werkzeug's
    LanguageAccept), else English."""
    if chosen in LANGUAGES:
        return chosen
    return accept_languages.best_match(LANGUAGES, default=DEFAULT) if accept_languages else DEFAULT
