"""The words of an invitation: its email and its SMS, written by the mail queue's job after the import commits."""
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.i18n import _
from app.models import Invitation, Sponsor
from app.services.id_lists import among
from app.services.mail import build_message
from app.services.sponsors.invitations import token_for


def outgoing(invitation_ids: list[int]) -> list[tuple[int, str, str | None, object]]:
    """(id, link, mobile number or None, email message) of each invitation still waiting for an answer."""
    config = dict(current_app.config)
    rows = db.session.execute(select(Invitation, Sponsor.name).join(Sponsor, Sponsor.id == Invitation.sponsor_id)
                              .where(among(Invitation.id, invitation_ids)).order_by(Invitation.id)).all()
    found = []
    for invitation, sponsor_name in rows:
        link = f"/invitations/{token_for(invitation.id, invitation.email)}"
        subject = _("%(sponsor)s invites you to register your VPN", sponsor=sponsor_name)
        body = _("Dear %(name)s,\n\n%(sponsor)s proposes to register your VPN connection with the regulator in "
                 "your name. Open the link to see exactly what it proposed, correct it and consent, or decline. "
                 "Nothing is sent in your name until you consent. No Raasta account yet? Sign up with this email "
                 "address first, then open the link again.", name=invitation.name, sponsor=sponsor_name)
        message = build_message(config, invitation.email, subject, body, link)
        found.append((invitation.id, f"{config['PUBLIC_URL']}{link}", invitation.proposal.get("mobile"), message))
    return found


def sms_text(link: str) -> str:
    return _("Raasta: you are invited to register your VPN. Details were emailed to you; or open %(url)s",
             url=link)
