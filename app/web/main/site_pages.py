"""The help, contact and privacy pages, open to everyone (their text: services.site_pages)."""
from flask import render_template

from app.services import site_pages
from app.web.main import bp


@bp.get(f"/<any({', '.join(site_pages.SLUGS)}):slug>")
def site_page(slug: str):
    shown = site_pages.page(slug)
    return render_template("main/site_page.html", page=shown, blocks=site_pages.blocks(shown.body))
