"""A sponsor's papers for its approval: the registration certificate and the signatory's CNIC, one of each (a new
upload replaces the old), checked as applications' documents are (PDF, PNG or JPEG by content, size, no active
content). Reviewers read them; every upload and every reading is on the audit trail."""
import hashlib

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app import audit
from app.choices import SponsorPaper
from app.extensions import db
from app.i18n import _
from app.models import Sponsor, SponsorDocument, User
from app.services import ServiceError
from app.services.documents import checked_upload, display_name


def store_paper(sponsor: Sponsor, kind: str, upload: FileStorage | None, actor: User) -> SponsorDocument:
    """Check and keep the paper, replacing the sponsor's earlier one of that kind; the caller commits."""
    if kind not in SponsorPaper.ALL:
        raise ServiceError(_("Paper %(kind)s is unknown; upload one of %(kinds)s.", kind=repr(kind),
                             kinds=", ".join(SponsorPaper.ALL)), field="kind")
    content, mime = checked_upload(upload)
    paper = paper_of(sponsor, kind) or SponsorDocument(sponsor_id=sponsor.id, kind=kind)
    paper.display_name, paper.content_type, paper.size = display_name(upload.filename), mime, len(content)
    paper.sha256, paper.content, paper.uploaded_by_id = hashlib.sha256(content).hexdigest(), content, actor.id
    db.session.add(paper)
    db.session.flush()
    audit.record("sponsor.paper_uploaded", sponsor, actor=actor, kind=kind, name=paper.display_name,
                 sha256=paper.sha256, size=paper.size)
    return paper


def paper_of(sponsor: Sponsor, kind: str) -> SponsorDocument | None:
    return db.session.scalar(select(SponsorDocument).where(SponsorDocument.sponsor_id == sponsor.id,
                                                           SponsorDocument.kind == kind))


def missing_papers(sponsor: Sponsor) -> list[str]:
    present = set(db.session.scalars(select(SponsorDocument.kind).where(SponsorDocument.sponsor_id == sponsor.id)))
    return [kind for kind in SponsorPaper.ALL if kind not in present]


def read_paper(sponsor: Sponsor, kind: str, reader: User) -> SponsorDocument | None:
    """The paper for a reviewer to read, its reading audited; None when the sponsor has none of that kind."""
    paper = paper_of(sponsor, kind)
    if paper is not None:
        audit.record("sponsor.paper_read", sponsor, actor=reader, kind=kind, sha256=paper.sha256)
    return paper
