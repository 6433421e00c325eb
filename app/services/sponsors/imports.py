"""A sponsor's member file: read, every row checked, and kept as a draft (with its problems) until it is clean;
then one invitation per row, all in the same transaction, or none.

A file that cannot be read at all (too large, not CSV or XLSX, mixed encodings) is refused before anything is
kept. A file that can be read is kept even with problems, so that the sponsor downloads it back, corrects it and
uploads it again onto the same draft without retyping anything.
"""
import hashlib

from sqlalchemy import select

from app import audit
from app.choices import ImportState
from app.extensions import db
from app.i18n import _
from app.models import Sponsor, SponsorImport, User
from app.models.types import utcnow
from app.services import Conflict
from app.services.sponsors.invitations import invite_all
from app.services.sponsors.member_file import read_member_file
from app.services.sponsors.member_rows import check_rows

FILENAME_MAX = SponsorImport.filename.type.length


def upload(sponsor: Sponsor, user: User, filename: str, content: bytes,
           draft: SponsorImport | None = None) -> SponsorImport:
    """Check the file; keep it (a new draft, or replacing `draft`'s file) with its problems, and when it has none
    invite every member in it. The caller commits; FileRefused (nothing kept) for a file that cannot be read."""
    if draft is not None and draft.state != ImportState.DRAFT:
        raise Conflict(_("Import %(id)s is imported already; upload a new file for more members.", id=draft.id))
    filename = (filename or "members.csv").replace("\\", "/").rsplit("/", 1)[-1][:FILENAME_MAX] or "members.csv"
    member_file = read_member_file(filename, content)
    checked = check_rows(sponsor.id, member_file.header, member_file.rows)
    kept = draft or SponsorImport(sponsor_id=sponsor.id)
    kept.uploaded_by_id, kept.filename, kept.file_format = user.id, filename, member_file.file_format
    kept.encoding, kept.size, kept.sha256 = member_file.encoding, len(content), hashlib.sha256(content).hexdigest()
    kept.content, kept.rows, kept.problems = content, len(member_file.rows), checked.problems
    kept.created_at = utcnow()
    if draft is None:
        db.session.add(kept)
    db.session.flush()
    audit.record("sponsor.import_uploaded", sponsor, actor=user, import_id=kept.id, filename=filename,
                 sha256=kept.sha256, rows=kept.rows, problems=len(checked.problems), encoding=kept.encoding)
    if not checked.problems:
        if not _still_draft(kept):
            raise Conflict(_("Import %(id)s was imported while this file was checked; reload it.", id=kept.id))
        kept.state, kept.imported_at = ImportState.IMPORTED, utcnow()
        invite_all(sponsor, kept, checked.proposals, actor=user)
    return kept


def _still_draft(kept: SponsorImport) -> bool:
    """Compare-and-set draft -> imported, so two uploads racing onto one draft invite its members once."""
    from sqlalchemy import update

    changed = db.session.execute(update(SponsorImport).where(SponsorImport.id == kept.id,
                                                             SponsorImport.state == ImportState.DRAFT)
                                 .values(state=ImportState.IMPORTED).execution_options(synchronize_session=False))
    return changed.rowcount == 1


def import_of(sponsor: Sponsor, import_id: int) -> SponsorImport | None:
    """The sponsor's own import `import_id`; another sponsor's is None, as if it did not exist."""
    return db.session.scalar(select(SponsorImport).where(SponsorImport.id == import_id,
                                                         SponsorImport.sponsor_id == sponsor.id))


def imports_of(sponsor: Sponsor) -> list[SponsorImport]:
    return db.session.scalars(select(SponsorImport).where(SponsorImport.sponsor_id == sponsor.id)
                              .order_by(SponsorImport.id.desc())).all()
