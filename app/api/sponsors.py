"""API v1 for sponsors (contract: sponsor), the members they invite, and the reviewers who approve them.

A sponsor user reads and acts for its own sponsor only: another sponsor's import is a 404, as if it did not exist;
of its members it reads their progress (invited, accepted, submitted, decided, declined, withdrawn) and nothing
else. A member answers an invitation by the token of its link, signed in with the invited email.
"""
from flask import Response, abort, jsonify, request
from flask_login import current_user

from app.api import bp
from app.api.openapi import documented
from app.api.requests import json_body, known_fields, multipart_form, text_fields
from app.auth import role_required
from app.choices import ImportState, Role, SponsorPaper, SponsorState
from app.downloads import send_document
from app.errors import api_error
from app.extensions import db
from app.i18n import _, ngettext
from app.input_guard import upload_limit
from app.models import Invitation, Sponsor, SponsorImport
from app.services.sponsors import imports, invitations, papers, registry
from app.services.sponsors.member_file import MAX_FILE_BYTES, FileTooLarge, too_large_message
from app.services.sponsors.progress import members_progress
from app.transactions import committed

sponsor_only = role_required(Role.SPONSOR)
staff_only = role_required(*Role.STAFF)
UPLOAD = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}
DETAILS = {"type": "object", "properties": {"registration_number": {"type": "string"},
                                            "signatory_name": {"type": "string"},
                                            "signatory_cnic": {"type": "string"}}}
PAPER = {"type": "object", "properties": {"kind": {"type": "string", "enum": list(SponsorPaper.ALL)},
                                          "file": {"type": "string", "format": "binary"}}, "required": ["kind", "file"]}
DECISION = {"type": "object", "properties": {"reason": {"type": "string"}}}
ANSWER_FIELDS = ("name", "cnic", "city", "purpose", "mobile", "operator", "isp", "subscriber_id", "addresses")
ANSWER = {"type": "object", "properties": {name: {"type": "string"} for name in ANSWER_FIELDS if name != "addresses"}
          | {"addresses": {"type": "array", "items": {"type": "string"}}}}


def sponsor_json(sponsor: Sponsor) -> dict:
    return {"id": sponsor.id, "name": sponsor.name, "kind": sponsor.kind, "state": sponsor.state,
            "registration_number": sponsor.registration_number, "signatory_name": sponsor.signatory_name,
            "signatory_cnic": sponsor.signatory_cnic, "reason": sponsor.state_reason,
            "decided_at": sponsor.decided_at.isoformat() if sponsor.decided_at else None,
            "papers": [{"kind": p.kind, "name": p.display_name, "content_type": p.content_type, "size": p.size,
                        "sha256": p.sha256, "uploaded_at": p.uploaded_at.isoformat()} for p in sponsor.documents]}


def import_json(kept: SponsorImport) -> dict:
    invited = db.session.query(Invitation.id).filter(Invitation.import_id == kept.id).count() \
        if kept.state == ImportState.IMPORTED else 0
    return {"id": kept.id, "state": kept.state, "filename": kept.filename, "format": kept.file_format,
            "encoding": kept.encoding, "size": kept.size, "sha256": kept.sha256, "rows": kept.rows,
            "problems": kept.problems, "invitations": invited, "uploaded_at": kept.created_at.isoformat(),
            "imported_at": kept.imported_at.isoformat() if kept.imported_at else None}


def _too_large() -> FileTooLarge:
    return FileTooLarge(too_large_message(), field="file")


# The member file's own limit (a form around it adds a few hundred bytes), refused with a message naming it.
member_file_limit = upload_limit(MAX_FILE_BYTES + 64 * 1024, _too_large)


def _uploaded_file():
    """The multipart `file` (read within member_file_limit by app.input_guard)."""
    multipart_form()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, description=_("Send the member file as the multipart field 'file' (CSV or XLSX)."))
    return upload.filename, upload.read(MAX_FILE_BYTES + 1)


def _answer_upload(kept: SponsorImport, created: bool):
    """201 (or 200 for a re-upload) when the file was clean and its members invited; else 422 naming every
    problem, the draft kept (committed) for a corrected file."""
    if kept.state == ImportState.IMPORTED:
        return jsonify(import_json(kept)), 201 if created else 200
    count = len(kept.problems)
    return api_error(422, ngettext("The file has %(num)s problem; nothing was imported. Correct it and upload it "
                                   "again to import %(id)s.",
                                   "The file has %(num)s problems; nothing was imported. Correct them and upload "
                                   "it again to import %(id)s.", count, id=kept.id),
                     details={"import_id": kept.id, "problems": kept.problems})


@bp.get("/sponsor")
@sponsor_only
def get_sponsor():
    """Your sponsor organisation: name, kind, state (pending, approved, suspended) and its details."""
    return jsonify(sponsor_json(registry.sponsor_of(current_user)))


@bp.put("/sponsor/details")
@documented(body=DETAILS)
@sponsor_only
def put_sponsor_details():
    """Give the details a reviewer checks before approving: registration_number, signatory_name, signatory_cnic."""
    what = _("the sponsor's details")
    body = text_fields(known_fields(json_body(), DETAILS["properties"], what), what)
    with committed():
        sponsor = registry.update_details(registry.sponsor_of(current_user), body.get("registration_number"),
                                          body.get("signatory_name"), body.get("signatory_cnic"), current_user)
    return jsonify(sponsor_json(sponsor))


@bp.post("/sponsor/papers")
@documented(body=PAPER, status=201, media_type="multipart/form-data")
@sponsor_only
def upload_paper():
    """Upload a paper for the reviewer: kind registration or signatory_cnic, file a PDF, PNG or JPEG scan.

    A new one of a kind replaces the old. Answers 201 with the sponsor (its "papers" list). A sponsor is approved
    only with both papers and its details given.
    """
    multipart_form()
    sponsor = registry.sponsor_of(current_user)
    with committed():
        papers.store_paper(sponsor, request.form.get("kind", ""), request.files.get("file"), current_user)
    db.session.refresh(sponsor)
    return jsonify(sponsor_json(sponsor)), 201


@bp.post("/sponsor/imports")
@documented(body=UPLOAD, status=201, media_type="multipart/form-data")
@member_file_limit
@sponsor_only
def create_import():
    """Upload a member file (CSV or XLSX, at most 5 MB and 5,000 rows): every row is checked at once.

    Columns: name, cnic, email (required), mobile + operator, isp + subscriber_id, addresses (space, comma or
    semicolon separated), purpose; each row needs at least one way to whitelist. Clean: 201 with the import
    and its invitations sent. Otherwise 422 whose details are {"import_id", "problems": [{"row", "column",
    "code", "message"}]}: nothing is invited, the file is kept as a draft; correct it and POST it to
    /sponsor/imports/{id}/file. A file that cannot be read (too large: 413; not CSV/XLSX, mixed encodings)
    is refused and not kept. Cells starting with = + - @ are refused as formulas.
    """
    sponsor = registry.approved_sponsor_of(current_user)
    filename, content = _uploaded_file()
    with committed():
        kept = imports.upload(sponsor, current_user, filename, content)
    return _answer_upload(kept, created=True)


def _own_import(import_id: int) -> SponsorImport:
    kept = imports.import_of(registry.sponsor_of(current_user), import_id)
    if kept is None:
        abort(404, description=_("Your organisation has no import %(id)s.", id=import_id))
    return kept


@bp.post("/sponsor/imports/<int:import_id>/file")
@documented(body=UPLOAD, media_type="multipart/form-data")
@member_file_limit
@sponsor_only
def replace_import_file(import_id: int):
    """Upload the corrected file onto a draft import: checked again as a whole (200 when clean and imported)."""
    sponsor = registry.approved_sponsor_of(current_user)
    kept = _own_import(import_id)
    filename, content = _uploaded_file()
    with committed():
        kept = imports.upload(sponsor, current_user, filename, content, draft=kept)
    return _answer_upload(kept, created=False)


@bp.get("/sponsor/imports")
@sponsor_only
def list_imports():
    """Your imports, newest first: each as GET /sponsor/imports/{id} shows it."""
    return jsonify([import_json(kept) for kept in imports.imports_of(registry.sponsor_of(current_user))])


@bp.get("/sponsor/imports/<int:import_id>")
@sponsor_only
def get_import(import_id: int):
    """One of your imports: state (draft or imported), encoding used, rows, problems, invitations sent."""
    return jsonify(import_json(_own_import(import_id)))


@bp.get("/sponsor/imports/<int:import_id>/file")
@sponsor_only
def download_import_file(import_id: int):
    """The file of an import, exactly as uploaded, to correct and upload again."""
    kept = _own_import(import_id)
    media = "text/csv" if kept.file_format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in kept.filename)
    return Response(kept.content, mimetype=media,
                    headers={"Content-Disposition": f'attachment; filename="{safe_name}"',
                             "X-Content-Type-Options": "nosniff"})


@bp.get("/sponsor/members")
@sponsor_only
def list_members():
    """Your members' progress: [{"invitation_id", "import_id", "row", "name", "email", "progress"}], progress one
    of invited, accepted, submitted, decided, declined, withdrawn. Nothing else of a member is ever shown."""
    return jsonify(members_progress(registry.sponsor_of(current_user)))


def _invitation(token: str) -> Invitation:
    invitation = invitations.invitation_by_token(token)
    if invitation is None:
        abort(404, description=_("This invitation link is unknown; check that it was copied whole."))
    invitations.check_invitee(invitation, current_user)
    return invitation


def invitation_json(invitation: Invitation) -> dict:
    return {"id": invitation.id, "sponsor": invitation.sponsor.name, "state": invitation.state,
            "proposal": {"name": invitation.name, "cnic": invitation.cnic, **invitation.proposal},
            "application_id": invitation.application_id}


@bp.get("/sponsor/invitations/<token>")
@role_required(Role.APPLICANT)
def get_invitation(token: str):
    """The invitation of a link, as the invited member sees it: the sponsor, and what it proposed in their name."""
    return jsonify(invitation_json(_invitation(token)))


@bp.post("/sponsor/invitations/<token>/accept")
@documented(body=ANSWER, status=201)
@role_required(Role.APPLICANT)
def accept_invitation(token: str):
    """Consent, with the proposal as you corrected it (fields left out keep the sponsor's; city is required).

    Your profile and an application naming the sponsor are made and submitted: 201 with "application_id" and
    "submitted": true; or "submitted": false and "waiting" saying what to do first (prove a mobile number by
    SMS, upload a document), the application kept as your draft.
    """
    invitation = _invitation(token)
    what = _("an answer to an invitation")
    body = text_fields(known_fields(json_body(), ANSWER_FIELDS, what), what, lists=("addresses",))
    corrected = {**{"name": invitation.name, "cnic": invitation.cnic}, **invitation.proposal, **body}
    with committed():
        invitation, waiting = invitations.accept(invitation, current_user, corrected)
    return jsonify({**invitation_json(invitation), "submitted": waiting is None, "waiting": waiting}), 201


@bp.post("/sponsor/invitations/<token>/decline")
@role_required(Role.APPLICANT)
def decline_invitation(token: str):
    """Decline: nothing is made in your name, and the sponsor sees "declined"."""
    invitation = _invitation(token)
    with committed():
        invitation = invitations.decline(invitation, current_user)
    return jsonify(invitation_json(invitation))


@bp.post("/sponsor/invitations/<token>/withdraw-consent")
@role_required(Role.APPLICANT)
def withdraw_invitation_consent(token: str):
    """Withdraw your consent: the sponsor sees "withdrawn" and nothing more; your application stays yours."""
    invitation = _invitation(token)
    with committed():
        invitation = invitations.withdraw_consent(invitation, current_user)
    return jsonify(invitation_json(invitation))


@bp.get("/sponsors")
@staff_only
def list_sponsors():
    """Every sponsor organisation, for reviewers: state and the details to check before approving."""
    return jsonify([sponsor_json(s) for s in registry.all_sponsors()])


@bp.get("/sponsors/<int:sponsor_id>/papers/<kind>")
@staff_only
def read_sponsor_paper(sponsor_id: int, kind: str):
    """A sponsor's paper (registration or signatory_cnic), for the reviewer deciding on it; the reading is audited."""
    sponsor = db.session.get(Sponsor, sponsor_id)
    if sponsor is None:
        abort(404, description=_("There is no sponsor %(id)s.", id=sponsor_id))
    with committed():
        paper = papers.read_paper(sponsor, kind, current_user)
    if paper is None:
        abort(404, description=_("%(name)s has no paper %(kind)s.", name=sponsor.name, kind=repr(kind)))
    return send_document(paper, iter([paper.content]))


def _decide(sponsor_id: int, new_state: str):
    sponsor = db.session.get(Sponsor, sponsor_id)
    if sponsor is None:
        abort(404, description=_("There is no sponsor %(id)s.", id=sponsor_id))
    body = text_fields(json_body(), _("a decision on a sponsor")) if request.content_length else {}
    with committed():
        sponsor = registry.decide(sponsor, new_state, body.get("reason"), current_user)
    return jsonify(sponsor_json(sponsor))


@bp.post("/sponsors/<int:sponsor_id>/approve")
@documented(body=DECISION, body_required=False)
@staff_only
def approve_sponsor(sponsor_id: int):
    """Approve a sponsor (pending or suspended): it may invite members, and its word stands for their employer
    letter. 409 if it changed meanwhile."""
    return _decide(sponsor_id, SponsorState.APPROVED)


@bp.post("/sponsors/<int:sponsor_id>/suspend")
@documented(body=DECISION)
@staff_only
def suspend_sponsor(sponsor_id: int):
    """Suspend a sponsor, with a reason: it invites nobody, and its members' open applications need their own
    employer letter from the next check on."""
    return _decide(sponsor_id, SponsorState.SUSPENDED)
