"""Applicant endpoints: profile, applications, documents, submit, withdraw."""
from flask import abort, jsonify, request
from flask_login import current_user

from app.api import bp, schemas
from app.api.openapi import documented
from app.api.requests import json_body, known_fields, multipart_form
from app.api.serializers import application_json, profile_json
from app.auth import role_required
from app.choices import Role
from app.downloads import send_document
from app.extensions import db
from app.i18n import _
from app.models import Document
from app.services import ServiceError
from app.services import applications as service
from app.services.application_input import parse_application
from app.services.documents import record_download, store_document
from app.services.profiles import PROFILE_FIELDS, ProfileInput, save_profile
from app.transactions import committed

APPLICANT = Role.APPLICANT


@bp.get("/profile")
@role_required(APPLICANT)
def get_profile():
    """Your applicant profile (404 until you create it with PUT)."""
    if current_user.profile is None:
        abort(404, description=_("No profile yet; create it with PUT /api/v1/profile."))
    return jsonify(profile_json(current_user.profile))


@bp.put("/profile")
@documented(body=schemas.PROFILE)
@role_required(APPLICANT)
def put_profile():
    """Create or replace your profile: a firm gives an NTN, a freelancer a CNIC; PSEB is optional."""
    body = known_fields(json_body(), sorted(PROFILE_FIELDS), _("the profile"))
    not_text = [k for k, v in body.items() if v is not None and not isinstance(v, str)]
    if not_text:
        raise ServiceError(_("Profile fields are text."), details={k: _("must be a string") for k in not_text})
    with committed():
        profile = save_profile(current_user, ProfileInput(**{name: body.get(name) for name in PROFILE_FIELDS}))
    return jsonify(profile_json(profile))


def _own_application(application_id: int):
    application = service.visible_application(application_id, current_user)
    if application is None:
        abort(404, description=_("No application %(id)s that you can see.", id=application_id))
    return application


@bp.get("/applications")
@role_required(APPLICANT)
def list_applications():
    """Your applications, newest first."""
    return jsonify({"applications": [application_json(a, detail=False) for a in service.applications_of(current_user)]})


@bp.post("/applications")
@documented(body=schemas.APPLICATION, status=201)
@role_required(APPLICANT)
def create_application():
    """Create a draft from purpose, entries (address, CIDR or range a-b), endpoints and subscriptions.

    Unparseable entries give 422 naming each bad entry; nothing is stored. An optional "note" tells the
    reviewer what they should know; an entry may be sent as {"input", "note"} to carry a note of its own.
    """
    with committed():
        application = service.create_application(current_user, parse_application(json_body()))
    return jsonify(application_json(application)), 201


@bp.get("/applications/<int:application_id>")
@role_required(APPLICANT, *Role.STAFF)
def get_application(application_id: int):
    """One application with its entries, findings, endpoints, documents and history."""
    return jsonify(application_json(_own_application(application_id)))


@bp.put("/applications/<int:application_id>")
@documented(body=schemas.APPLICATION)
@role_required(APPLICANT)
def update_application(application_id: int):
    """Replace the purpose, entries, endpoints and subscriptions of a draft or a needs-info application.

    A ready or flagged application not yet in a batch may be changed too: it returns to draft (a
    reviewer's overrides are dropped) and is validated again when submitted; in a batch awaiting
    approval it is 409. Sending what it already holds changes nothing and records nothing.
    """
    application = _own_application(application_id)
    with committed():
        service.update_application(application, parse_application(json_body()))
    return jsonify(application_json(application))


@bp.delete("/applications/<int:application_id>")
@documented(status=204)
@role_required(APPLICANT)
def delete_draft(application_id: int):
    """Delete a draft that was never submitted, with its entries, endpoints and documents (204).

    A draft submitted before (and reopened) keeps its history: withdraw it instead (409).
    """
    with committed():
        service.delete_draft(_own_application(application_id))
    return "", 204


@bp.post("/applications/<int:application_id>/documents")
@documented(body=schemas.DOCUMENT_UPLOAD, status=201, media_type="multipart/form-data")
@role_required(APPLICANT)
def upload_document(application_id: int):
    """Attach a document (multipart: file, kind). PDF, PNG or JPEG by content; size capped (413).

    Allowed while the application may be changed (a ready or flagged one returns to draft, as with PUT).
    """
    application = _own_application(application_id)
    multipart_form()
    with committed():
        document = store_document(application, request.form.get("kind", ""), request.files.get("file"))
    return jsonify({"id": document.id, "kind": document.kind, "name": document.display_name,
                    "content_type": document.content_type, "size": document.size, "sha256": document.sha256}), 201


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@role_required(APPLICANT, *Role.STAFF)
def download_document(application_id: int, document_id: int):
    """Download a document: its applicant and reviewers only."""
    application = _own_application(application_id)
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application.id:
        abort(404, description=_("No document %(document)s on application %(id)s.", document=document_id,
                                 id=application_id))
    with committed():
        chunks = record_download(document)
    return send_document(document, chunks)


@bp.post("/applications/<int:application_id>/submit")
@documented(body=schemas.SUBMIT, status=202, body_required=False)
@role_required(APPLICANT)
def submit_application(application_id: int):
    """Submit for validation: 202 {"state": "validating"}; the queue does the checks.

    Refused (422, details.missing) while a document the category needs is missing. An application that
    needs more information may carry an answer for the reviewer: an optional body {"reply": "..."}.
    """
    application = _own_application(application_id)
    # A bare POST, as ever, is enough; a JSON body may carry the reply.
    body = known_fields(json_body(), ["reply"], _("submitting")) if request.is_json and request.content_length else {}
    with committed():
        service.submit(application, body.get("reply"))
    return jsonify({"id": application.id, "state": application.state}), 202


@bp.post("/applications/<int:application_id>/withdraw")
@role_required(APPLICANT)
def withdraw_application(application_id: int):
    """Withdraw an open application."""
    application = _own_application(application_id)
    with committed():
        service.withdraw(application)
    return jsonify({"id": application.id, "state": application.state})
