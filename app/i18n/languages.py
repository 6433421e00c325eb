"""The languages Raasta speaks, and which way each is written."""
DEFAULT = "en"
# Code → the language's name in itself, as the switch shows it.
LANGUAGES = {"en": "English", "ur": "اردو"}
RTL = {"ur"}


def direction(code: str) -> str:
    return "rtl" if code in RTL else "ltr"


def best_match(accept_languages, chosen: str | None = None) -> str:
    """`chosen` when it is one we speak, else the first language of an Accept-Language header (werkzeug's
    LanguageAccept, best quality first) that we speak, by its main part ("ur-PK" is Urdu), else English."""
    if chosen in LANGUAGES:
        return chosen
    for tag, quality in accept_languages or ():
        language = tag.replace("_", "-").split("-")[0].lower()
        if language in LANGUAGES and quality > 0:  # q=0: "not this one"
            return language
    return DEFAULT
