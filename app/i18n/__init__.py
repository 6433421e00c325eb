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


def portal_operator(configured: str) -> str:
    """Who runs the portal ("Raasta is operated for ..."): the default name in the reader's language, a name a
    deployment configured (PORTAL_OPERATOR) as it was written."""
    from app.config import DEFAULT_PORTAL_OPERATOR

    if configured == DEFAULT_PORTAL_OPERATOR:
        return _("the Pakistan Telecommunication Authority (PTA)")
    return configured


class Phrase:
    """A sentence kept as its English original and parameters, to be stored now and read later in whoever
    reads it's language (a validation finding written by the worker, read by an Urdu applicant and an English
    reviewer). `str()` is the current language; `english` what the API and the database keep."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = {name: value if isinstance(value, (int, float)) else str(value)
                       for name, value in params.items()}

    @property
    def english(self) -> str:
        return self.msgid % self.params if self.params else self.msgid

    def __str__(self) -> str:
        return _(self.msgid, **self.params)

    def __eq__(self, other) -> bool:
        return isinstance(other, Phrase) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.params.items()))))

    def __repr__(self) -> str:
        return f"Phrase({self.english!r})"

    def to_json(self) -> dict:
        return {"msgid": self.msgid, "params": self.params}

    @classmethod
    def from_json(cls, stored: dict) -> "Phrase":
        return cls(stored["msgid"], **stored.get("params", {}))
