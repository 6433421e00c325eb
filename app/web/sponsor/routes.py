"""The sponsor's pages: its details, the member file upload, each import with its problems, members' progress."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.choices import ImportState, InvitationState, SponsorKind, SponsorPaper, SponsorState
from app.i18n import _, ngettext
from app.input_guard import upload_limit
from app.services import ServiceError
from app.services.sponsors import imports, papers, registry
from app.services.sponsors.member_file import MAX_FILE_BYTES, FileTooLarge, too_large_message
from app.services.sponsors.member_rows import COLUMNS
from app.services.sponsors.progress import members_progress
from app.transactions import committed
from app.web.outcomes import commit_or_flash
from app.web.sponsor import bp, sponsor_only
from app.web.sponsor.forms import DetailsForm, MemberFileForm, PaperForm

PROGRESS_LABELS = {"invited": InvitationState.LABELS[InvitationState.INVITED],
                   "declined": InvitationState.LABELS[InvitationState.DECLINED],
                   "withdrawn": InvitationState.LABELS[InvitationState.WITHDRAWN]}


def _too_large() -> FileTooLarge:
    return FileTooLarge(too_large_message(), field="file")


def _progress_words() -> dict:
    return {**PROGRESS_LABELS, "accepted": _("Accepted"), "submitted": _("Submitted"), "decided": _("Decided")}


@bp.get("/sponsor")
@sponsor_only
def index():
    sponsor = registry.sponsor_of(current_user)
    details = DetailsForm(obj=sponsor)
    members = members_progress(sponsor)
    counts = {}
    for member in members:
        counts[member["progress"]] = counts.get(member["progress"], 0) + 1
    return render_template("sponsor/index.html", sponsor=sponsor, details=details, upload=MemberFileForm(),
                           paper_form=PaperForm(), SponsorPaper=SponsorPaper,
                           imports=imports.imports_of(sponsor), members=members, counts=counts,
                           words=_progress_words(), SponsorState=SponsorState, SponsorKind=SponsorKind,
                           columns=COLUMNS)


@bp.post("/sponsor/details")
@sponsor_only
def details():
    form = DetailsForm()
    sponsor = registry.sponsor_of(current_user)
    commit_or_flash(lambda: registry.update_details(sponsor, form.registration_number.data,
                                                    form.signatory_name.data, form.signatory_cnic.data, current_user),
                    _("Details saved; a reviewer checks them before approving your organisation."))
    return redirect(url_for("sponsor.index"))


@bp.post("/sponsor/papers")
@sponsor_only
def upload_paper():
    form = PaperForm()
    sponsor = registry.sponsor_of(current_user)
    commit_or_flash(lambda: papers.store_paper(sponsor, form.kind.data or "", request.files.get("file"),
                                               current_user),
                    lambda paper: _("%(paper)s uploaded.", paper=SponsorPaper.LABELS[paper.kind]))
    return redirect(url_for("sponsor.index"))


def _upload(draft=None):
    """Check the uploaded file; the page of the import (with its problems) or back to the form with why not."""
    try:
        sponsor = registry.approved_sponsor_of(current_user)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ServiceError(_("Choose the member file to upload (CSV or XLSX)."), field="file")
        with committed():
            kept = imports.upload(sponsor, current_user, upload.filename, upload.read(MAX_FILE_BYTES + 1), draft)
    except (ServiceError, RequestEntityTooLarge) as exc:
        flash(exc.message if isinstance(exc, ServiceError) else too_large_message(), "error")
        return redirect(url_for("sponsor.import_page", import_id=draft.id) if draft else url_for("sponsor.index"))
    if kept.state == ImportState.IMPORTED:
        flash(ngettext("The file is clean: %(num)s member invited.", "The file is clean: %(num)s members invited.",
                       kept.rows), "success")
    else:
        flash(ngettext("The file has %(num)s problem; nothing was imported. Correct it and upload it again.",
                       "The file has %(num)s problems; nothing was imported. Correct them and upload it again.",
                       len(kept.problems)), "error")
    return redirect(url_for("sponsor.import_page", import_id=kept.id))


@bp.post("/sponsor/imports")
@upload_limit(MAX_FILE_BYTES + 64 * 1024, _too_large)
@sponsor_only
def upload_file():
    return _upload()


def _own(import_id: int):
    kept = imports.import_of(registry.sponsor_of(current_user), import_id)
    if kept is None:
        abort(404, _("Your organisation has no import %(id)s.", id=import_id))
    return kept


@bp.get("/sponsor/imports/<int:import_id>")
@sponsor_only
def import_page(import_id: int):
    return render_template("sponsor/import.html", kept=_own(import_id), upload=MemberFileForm(),
                           ImportState=ImportState)


@bp.post("/sponsor/imports/<int:import_id>")
@upload_limit(MAX_FILE_BYTES + 64 * 1024, _too_large)
@sponsor_only
def reupload(import_id: int):
    return _upload(_own(import_id))


@bp.get("/sponsor/imports/<int:import_id>/file")
@sponsor_only
def download(import_id: int):
    kept = _own(import_id)
    media = "text/csv" if kept.file_format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in kept.filename)
    return Response(kept.content, mimetype=media,
                    headers={"Content-Disposition": f'attachment; filename="{safe_name}"'})
