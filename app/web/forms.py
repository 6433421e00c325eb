"""Forms every blueprint uses, and the base of every web form: WTForms' own messages in the page's language.

WTForms has no Urdu of its own ("Not a valid choice.", "Not a valid date value."), so every form here takes
its built-in messages from Raasta's catalogue (`Meta.get_translations`), where WTFORMS_MESSAGES keeps them.
"""
from flask_babel import LazyString, get_translations
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField
from wtforms import Form as PlainForm

from app.i18n import _l

# WTForms' built-in messages our forms can show, marked here so that `make messages` keeps them in the catalogue.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
    _l("Invalid email address."),
)

# WTForms' own words for Length(max=...) over a limit above 1, as a message of ours: with `%(max)s`, not `%(max)d`.
TOO_LONG = _l("Field cannot be longer than %(max)s characters.")


class CatalogueTranslations:
    """WTForms' `gettext`/`ngettext` from Raasta's catalogue. Unformatted: WTForms puts its values in itself."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = CatalogueTranslations()


def plain_errors(fields) -> None:
    """Each error a lazy message (a validator's `message=_l(...)`) as the text it is now: the error summary
    (templates/_macros.html) lists only strings, and a flash must be one to go into the session."""
    for field in fields:
        if isinstance(field, FieldList):
            plain_errors(field.entries)
        elif isinstance(field, FormField):
            plain_errors(field.form)
        elif isinstance(field.errors, list):
            field.errors[:] = [str(error) if isinstance(error, LazyString) else error for error in field.errors]


class RaastaForm(FlaskForm):
    """A web form (with CSRF) whose WTForms messages follow the page's language."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        plain_errors(self)
        return valid


class SubForm(PlainForm):
    """A form inside another (FormField rows, no CSRF of its own), its WTForms messages translated too."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS


class ActionForm(RaastaForm):
    """A bare form for POST buttons (submit, withdraw, renew, approve): it carries the CSRF token."""
