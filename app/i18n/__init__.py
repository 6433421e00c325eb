"""Raasta's languages: the words a person reads, in English or Urdu.

Every user-facing string is marked with the functions here (not flask_babel's directly), because they do one
thing more: in a right-to-left language each value put into a sentence (an address range, a phone number, a
serial, an email address) is wrapped in Unicode's first-strong isolate (FSI ... PDI), so "10.0.0.0 - 10.0.0.255"
keeps its order inside an Urdu sentence, in pages, flashes, emails and SMS alike. English text is unchanged,
byte for byte.

    _("Range %(range)s overlaps application %(id)s.", range=text, id=7)     # now, in the current language
    _l("Waiting for review")                                                 # module level: when shown
    ngettext("%(num)s entry", "%(num)s entries", n)                          # num: n with thousands separated
    Phrase("...", **params)                                                  # stored, shown later (findings)

Templates use the same `_`/`ngettext` and `{% trans %}`; a value in a template sentence is isolated with the
`bdi` filter instead, since Jinja formats template sentences itself.
"""
from flask_babel import LazyString, get_locale, get_translations
from flask_babel import gettext as _gettext

from app.i18n.languages import DEFAULT, LANGUAGES, RTL, direction  # noqa: F401  (re-exported)

FSI, PDI = "\u2068", "\u2069"


def right_to_left() -> bool:
    locale = get_locale()
    return locale is not None and locale.language in RTL


def isolated(params: dict) -> dict:
    """`params` with each value wrapped in FSI ... PDI when the current language reads right to left."""
    if not params or not right_to_left():
        return params
    return {name: f"{FSI}{value}{PDI}" for name, value in params.items()}


def _(msgid: str, **params) -> str:
    return _gettext(msgid, **isolated(params))


def _l(msgid: str, **params) -> LazyString:
    return LazyString(_, msgid, **params)


def ngettext(singular: str, plural: str, num: int, **params) -> str:
    """The sentence for `num` in the current language's plural rules; `%(num)s` shows it as 1,204."""
    params.setdefault("num", f"{num:,}" if isinstance(num, int) else num)
    return get_translations().ungettext(singular, plural, num) % isolated(params)


def lazy_ngettext(singular: str, plural: str, num: int, **params) -> LazyString:
    return LazyString(ngettext, singular, plural, num, **params)


# Who runs the portal unless PORTAL_OPERATOR says otherwise (app.config).
DEFAULT_PORTAL_OPERATOR = "the Pakistan Telecommunication Authority (PTA)"


def portal_operator(configured: str) -> str:
    """Who runs the portal ("Raasta is operated for ..."): the default name in the reader's language, a name a
    deployment configured (PORTAL_OPERATOR) as it was written."""
    if configured == DEFAULT_PORTAL_OPERATOR:
        return _("the Pakistan Telecommunication Authority (PTA)")
    return configured


class Phrase:
    """A sentence kept as its English original and parameters, to be stored now and read later in the language
    of whoever reads it (a validation finding written by the worker, read by an Urdu applicant and an English
    reviewer). `str()` is the current language; `english` what the API and the database keep.

    A parameter may itself be a Phrase, or a list of Phrases (shown joined by "; "), for a sentence that names
    pieces with words of their own ("39.63.255.0-39.63.255.255: no country in the data"): they are read in
    the same language as the sentence around them."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = {name: _kept(value) for name, value in params.items()}

    @property
    def english(self) -> str:
        if not self.params:
            return self.msgid
        return self.msgid % {name: _read(value, english=True) for name, value in self.params.items()}

    def __str__(self) -> str:
        return _(self.msgid, **{name: _read(value) for name, value in self.params.items()})

    def __eq__(self, other) -> bool:
        return isinstance(other, Phrase) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.params.items()))))

    def __repr__(self) -> str:
        return f"Phrase({self.english!r})"

    def to_json(self) -> dict:
        return {"msgid": self.msgid, "params": {name: _stored(value) for name, value in self.params.items()}}

    @classmethod
    def from_json(cls, stored: dict) -> "Phrase":
        return cls(stored["msgid"], **{name: _loaded(value) for name, value in stored.get("params", {}).items()})


PHRASES_JOINED_BY = "; "


def _kept(value):
    """A parameter as a Phrase keeps it: a number, a Phrase, a tuple of Phrases, or else its text."""
    if isinstance(value, (int, float, Phrase)):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(item, Phrase) for item in value):
        return tuple(value)
    return str(value)


def _read(value, english: bool = False):
    if isinstance(value, Phrase):
        return value.english if english else str(value)
    if isinstance(value, tuple):
        return PHRASES_JOINED_BY.join(_read(item, english) for item in value)
    return value


def _stored(value):
    if isinstance(value, Phrase):
        return value.to_json()
    if isinstance(value, tuple):
        return [item.to_json() for item in value]
    return value


def _loaded(value):
    if isinstance(value, dict):
        return Phrase.from_json(value)
    if isinstance(value, list):
        return tuple(Phrase.from_json(item) for item in value)
    return value
