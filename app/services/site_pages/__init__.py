"""The portal's own pages, help, contact and privacy: plain text that an admin edits.

A page nobody has saved shows its default text, shipped in defaults/<slug>.txt (first line the title),
or in the reader's language from defaults/<language>/<slug>.txt when there is one (defaults/ur/help.txt),
with the portal's settings filled in ({operator}, {approval_days}); once an admin saves it, the saved text
is the page, exactly as typed, in every language. Text is never HTML: blocks() splits it into headings and
paragraphs, and the template escapes every character, so a page cannot carry markup or scripts.
"""
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import get_locale

from app import audit
from app.extensions import db
from app.i18n import _, portal_operator
from app.models import SitePage, User
from app.models.types import utcnow
from app.services import ServiceError

SLUGS = ("help", "contact", "privacy")
TITLE_MAX = 100
BODY_MAX = 20_000
DEFAULTS = Path(__file__).parent / "defaults"
HEADING = "# "  # a block whose first line starts with this is a heading and the text under it
# Web and email addresses in a page's text become links: http(s) only, never ending in the sentence's full stop.
LINK = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class PageText:
    """A page as readers see it; `updated_at` and `updated_by` are None while it shows its default text."""

    slug: str
    title: str
    body: str
    updated_at: datetime | None = None
    updated_by: User | None = None


def default_file(slug: str) -> Path:
    """The default text of `slug` in the current language, or the English one when it has none."""
    locale = get_locale()
    translated = DEFAULTS / locale.language / f"{slug}.txt" if locale is not None else None
    return translated if translated is not None and translated.is_file() else DEFAULTS / f"{slug}.txt"


def default_text(slug: str) -> PageText:
    title, _newline, body = default_file(slug).read_text(encoding="utf-8").partition("\n")
    config = current_app.config
    operator = portal_operator(config["PORTAL_OPERATOR"])
    for name, value in (("operator", operator), ("approval_days", config["APPROVAL_DAYS"])):
        body = body.replace("{" + name + "}", str(value))
    return PageText(slug, title.strip(), body.strip())


def page(slug: str) -> PageText:
    """The page as an admin last saved it, or its default text."""
    if slug not in SLUGS:
        raise ServiceError(_("There is no page called %(slug)s.", slug=repr(slug)), field="slug")
    saved = db.session.get(SitePage, slug)
    if saved is None:
        return default_text(slug)
    return PageText(slug, saved.title, saved.body, saved.updated_at, saved.updated_by)


def all_pages() -> list[PageText]:
    return [page(slug) for slug in SLUGS]


def _clean(title: str | None, body: str | None) -> tuple[str, str]:
    """The title on one line and the body with its line endings made one kind; refuses empty or too long."""
    title = " ".join((title or "").split())
    body = "\n".join(line.rstrip() for line in (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    body = body.strip("\n")
    problems = {}
    if not title:
        problems["title"] = _("Give the page a title, e.g. Help.")
    elif len(title) > TITLE_MAX:
        problems["title"] = _("Keep the title to %(max)s characters; this one has %(length)s.", max=TITLE_MAX,
                              length=f"{len(title):,}")
    if not body.strip():
        problems["body"] = _("Write the page's text: a page cannot be empty.")
    elif len(body) > BODY_MAX:
        problems["body"] = _("Keep the text to %(max)s characters; this one has %(length)s. Say less, or move the "
                             "detail to another page.", max=f"{BODY_MAX:,}", length=f"{len(body):,}")
    if problems:
        field, message = next(iter(problems.items()))
        raise ServiceError(message, field=field, details=problems)
    return title, body


def update_page(slug: str, title: str | None, body: str | None, actor: User) -> PageText:
    """Save `slug`'s title and text as `actor` wrote them, audited with the text before and after.
    Saving what the page already says changes nothing. The caller commits."""
    before = page(slug)
    title, body = _clean(title, body)
    if (title, body) == (before.title, before.body):
        return before
    saved = db.session.get(SitePage, slug) or SitePage(slug=slug)
    saved.title, saved.body, saved.updated_at, saved.updated_by_id = title, body, utcnow(), actor.id
    db.session.add(saved)
    db.session.flush()
    audit.record("site_page.updated", ("site_page", slug), actor=actor,
                 before={"title": before.title, "body": before.body, "default": before.updated_at is None},
                 after={"title": title, "body": body})
    return page(slug)


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of a page; `text` keeps a paragraph's single line breaks."""

    text: str
    is_heading: bool = False

    def segments(self) -> list[tuple[str, str | None]]:
        """(text, link) pieces of the text: link is the address a web or email address points to, else None."""
        pieces, start = [], 0
        for match in LINK.finditer(self.text):
            found = match.group()
            pieces += [(self.text[start:match.start()], None),
                       (found, found if found.startswith(("http://", "https://")) else "mailto:" + found)]
            start = match.end()
        return [(text, link) for text, link in pieces + [(self.text[start:], None)] if text]


def blocks(body: str) -> list[Block]:
    """Paragraphs are separated by blank lines; a paragraph's first line starting with "# " is a heading."""
    found = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = chunk.strip("\n").split("\n")
        if lines[0].startswith(HEADING):
            found.append(Block(lines[0][len(HEADING):].strip(), is_heading=True))
            lines = lines[1:]
        if any(line.strip() for line in lines):
            found.append(Block("\n".join(lines)))
    return found
