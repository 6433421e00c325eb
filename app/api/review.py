"""API v1 for reviewers: the queue, decisions on one application, notes, and maker-checker batches.

Reviewers and admins only (applicants and ISPs get 403). Thin handlers: read the JSON, call one
service, commit, answer; every refusal is a ServiceError that app.errors turns into JSON.
"""
from flask import abort, jsonify, request
from flask_login import current_user

from app.api import bp, schemas
from app.api.openapi import documented
from app.api.requests import json_body, known_fields
from app.api.serializers import application_json, due_time
from app.auth import role_required
from app.choices import Role
from app.extensions import db
from app.i18n import _
from app.models import Application, Batch, ReviewNote, User
from app.services import ServiceError
from app.services.publication.publish import latest_version
from app.services.review import approvals, batch_risks, batches, clean_lane, decisions, suspensions
from app.services.review import queue as review_queue
from app.services.review.queue import QueueFilter, QueueRow
from app.transactions import committed

STAFF = Role.STAFF


def _user_json(user: User | None) -> dict | None:
    return None if user is None else {"id": user.id, "name": user.display_name, "email": user.email}


def _row_json(row: QueueRow) -> dict:
    return {
        "id": row.id,
        "state": row.state,
        "applicant": {"id": row.applicant_id, "name": row.applicant_name, "email": row.applicant_email},
        "kind": row.kind,
        "category": row.category,
        "entries": row.entry_count,
        "addresses": row.address_count,
        "worst_finding": {"severity": row.worst_severity, "code": row.worst_code} if row.worst_code else None,
        "submitted_at": row.submitted_at.isoformat(),
        "age_days": row.age_days,
        "isp": row.isp_name,
        "overrides": row.override_count,
        "batch_id": row.batch_id,
        "decision_due_at": due_time(row.decision_due_at),
        "late": row.late,
    }


def _batch_json(batch: Batch, with_ids: bool = True) -> dict:
    body = {"id": batch.id, "state": batch.state, "made_by": _user_json(batch.made_by),
            "note": clean_lane.note_text(batch.note), "created_at": batch.created_at.isoformat()}
    if with_ids:
        body["application_ids"] = batches.application_ids_of(batch)
    if batch.approved_by_id:
        body |= {"approved_by": _user_json(batch.approved_by), "approved_at": batch.approved_at.isoformat(),
                 "whitelist_serial": batch.whitelist_serial}
    return body


def _note_json(note: ReviewNote) -> dict:
    return {"id": note.id, "body": note.body, "author": _user_json(note.author),
            "created_at": note.created_at.isoformat()}


def _application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404, description=_("No application %(id)s.", id=application_id))
    return application


def _batch(batch_id: int) -> Batch:
    batch = db.session.get(Batch, batch_id)
    if batch is None:
        abort(404, description=_("No batch %(id)s.", id=batch_id))
    return batch


def _limit() -> int:
    value = request.args.get("limit", "50")
    if not value.isdigit() or not 1 <= int(value) <= review_queue.MAX_LIMIT:
        abort(400, description=_("?limit= must be a whole number from 1 to %(max)s, not %(value)s.",
                                 max=review_queue.MAX_LIMIT, value=repr(value)))
    return int(value)


@bp.get("/review/queue")
@role_required(*STAFF)
def review_queue_page():
    """The review queue, the decision due soonest first (late ones first), one keyset page at a time.

    Filters: ?state= (default: ready, flagged, needs_info and validation_failed), ?flag= (a finding
    code), ?category=, ?kind= (firm|freelancer), ?city=, ?isp=, ?older_than_days=, ?has_overrides=1|0,
    ?confirmation= (pending|confirmed|disputed|none: the ISP's answer), ?batched=yes|no (in a batch
    awaiting approval, or not; both when left out), ?registration=addresses|subscriptions (applications
    with address entries, or with mobile numbers or broadband accounts; one with both matches either),
    ?q= (applicant name, email, NTN or CNIC; or a mobile number in any spelling, e.g. 0300-1234567 or
    +92 300 1234567, or a broadband account id exactly), ?address= (an address, CIDR or range: the
    applications, approved ones included, whose entries overlap it).
    ?sort=submitted|due: oldest submission first (the default, as the contract has always said) or by the
    decision clock's due time, soonest first (the reviewers' page's default); suspended ones come first either way.
    ?limit= (1-200, default 50); pass the answer's next_cursor as ?cursor= for the next page.

    Returns {"applications", "next_cursor", "counts"}. Each row's "batch_id" names the batch awaiting
    approval it is in (null when none): such an application cannot be batched again until it is taken
    out of that batch or the batch is cancelled. "counts" holds how many wait in each queue state, not
    counting those in a pending batch, which "batched" counts (so "ready" is what a maker can batch).
    Each row's "decision_due_at" (ISO 8601, Pakistan time) is when the decision is due and "late" says whether it
    is past it (false while needs_info: the clock is paused until the applicant answers).
    """
    args = {"sort": review_queue.SORT_SUBMITTED, **request.args.to_dict()}  # the contract's order unless asked
    page = review_queue.queue_page(QueueFilter.from_args(args), request.args.get("cursor") or None,
                                   _limit())
    return jsonify({"applications": [_row_json(row) for row in page.rows], "next_cursor": page.next_cursor,
                    "counts": review_queue.state_counts()})


@bp.post("/applications/<int:application_id>/reject")
@documented(body=schemas.REASON)
@role_required(*STAFF)
def reject_application(application_id: int):
    """Reject a ready or flagged application with a reason the applicant reads ({"reason"})."""
    application = _application(application_id)
    with committed():
        decisions.reject(application, json_body().get("reason"), current_user)
    return jsonify(application_json(application))


@bp.post("/applications/<int:application_id>/request-info")
@documented(body=schemas.MESSAGE)
@role_required(*STAFF)
def request_information(application_id: int):
    """Ask the applicant for more information ({"message"}); the application becomes needs_info."""
    application = _application(application_id)
    with committed():
        decisions.request_information(application, json_body().get("message"), current_user)
    return jsonify(application_json(application))


@bp.post("/applications/<int:application_id>/override")
@documented(body=schemas.OVERRIDE)
@role_required(*STAFF)
def override_finding(application_id: int):
    """Override one error finding code with a written reason ({"code", "reason"}).

    422 if the application has no error finding with that code or the reason is empty; 409 if that
    code is already overridden. A flagged application whose every error code is overridden can be batched.
    isp.pending (a warning) can be overridden too, once the ISP's confirmation is CONFIRMATION_HOURS overdue
    (409 before, saying from when): with REQUIRE_ISP_CONFIRMATION=1 that is what lets it be batched unconfirmed.
    """
    application = _application(application_id)
    body = json_body()
    with committed():
        decisions.override(application, body.get("code"), body.get("reason"), current_user)
    return jsonify(application_json(application))


@bp.post("/applications/<int:application_id>/revoke")
@documented(body=schemas.REASON)
@role_required(*STAFF)
def revoke_application(application_id: int):
    """Revoke an approved (or suspended) application ({"reason"}) and publish a whitelist version without its space.

    Returns the application with the new whitelist_serial.
    """
    application = _application(application_id)
    with committed():
        version = approvals.revoke(application, json_body().get("reason"), current_user)
    serial = version.serial if version else latest_version().serial
    return jsonify(application_json(application) | {"whitelist_serial": serial})


@bp.post("/applications/<int:application_id>/reinstate")
@documented(body=schemas.REINSTATE)
@role_required(*STAFF)
def reinstate_application(application_id: int):
    """Reinstate a suspended application ({"reason"}): approved again, its space published at once.

    An application is suspended when its ISP disputes the subscriber id after approval. Reinstating
    restores its approval as it was (same approval date and expiry) and returns the application with the
    new whitelist_serial. 422 without a reason; 409 if it is not suspended (or another reviewer decided
    first), if its approval has run out, or if part of its space is now approved for another applicant
    (the details name each clash: revoke one of the two).
    """
    application = _application(application_id)
    with committed():
        version = suspensions.reinstate(application, json_body().get("reason"), current_user)
    serial = version.serial if version else latest_version().serial
    return jsonify(application_json(application) | {"whitelist_serial": serial})


@bp.get("/applications/<int:application_id>/notes")
@role_required(*STAFF)
def list_notes(application_id: int):
    """Reviewers' internal notes on an application, oldest first. Applicants never see them."""
    return jsonify({"notes": [_note_json(n) for n in decisions.notes_of(_application(application_id))]})


@bp.post("/applications/<int:application_id>/notes")
@documented(body=schemas.NOTE, status=201)
@role_required(*STAFF)
def add_note(application_id: int):
    """Add an internal note for other reviewers ({"body"}); 201 with the note."""
    with committed():
        note = decisions.add_note(_application(application_id), json_body().get("body"), current_user)
    return jsonify(_note_json(note)), 201


@bp.post("/batches")
@documented(body=schemas.BATCH, status=201)
@role_required(*STAFF)
def create_batch():
    """Batch applications for approval by another reviewer ({"application_ids": [...], "note"?}).

    Only ready applications, or flagged ones whose every error code is overridden, none already in a
    batch awaiting approval, and no two of different applicants whose entries overlap (approval would
    refuse both: batch one, decide the other after). With REQUIRE_ISP_CONFIRMATION=1, also none whose
    ISP has not confirmed the subscriber id, unless the answer is overdue and isp.pending is overridden
    (409 saying which, and from when the override is possible). Otherwise nothing is batched and the
    error's details name each refused application and why, an overlap naming the other application and
    both entries (409; 422 for ids that do not exist). 201 {"id", "state": "pending_approval",
    "application_ids", "made_by"}.
    """
    body = json_body()
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        raise ServiceError(_("note must be text."), field="note")
    with committed():
        batch = batches.create_batch(body.get("application_ids"), current_user, note)
    return jsonify(_batch_json(batch)), 201


@bp.get("/batches")
@role_required(*STAFF)
def list_batches():
    """Batches, newest first (at most 200); ?state=pending_approval|published|cancelled filters them."""
    found = batches.batches(request.args.get("state") or None)
    return jsonify({"batches": [_batch_json(b, with_ids=False) for b in found]})


def _risk_json(signal: batch_risks.Signal) -> dict:
    return {"code": signal.code, "count": signal.count, "application_ids": signal.application_ids}


@bp.get("/batches/<int:batch_id>")
@role_required(*STAFF)
def get_batch(batch_id: int):
    """One batch: {"id", "state", "application_ids", "made_by", "approved_by"?, "whitelist_serial"?, "risk_signals"}.

    "risk_signals" summarises the batch for the checker, one entry per signal whether or not it concerns any
    application: {"code", "count", "application_ids"} (the first 100 by id). Codes: new_applicant (account younger
    than 30 days, or its first application), wide_range (an entry wider than a /24 IPv4 or /48 IPv6),
    many_subscriptions (the CNIC or NTN holds more than SUBSCRIPTIONS_PER_HOLDER_WARN numbers and accounts across
    approved and pending applications), foreign_network (validation found addresses outside Pakistan, in several
    countries, or announced by another ISP), overrides (a reviewer overrode a finding on it).
    """
    batch = _batch(batch_id)
    return jsonify(_batch_json(batch) | {"risk_signals": [_risk_json(s) for s in batch_risks.risk_signals(batch)]})


def _offer_json(offer: clean_lane.Offer) -> dict:
    return {"application_ids": list(offer.application_ids), "count": offer.count,
            "oldest_due_at": due_time(offer.oldest_due_at), "late": offer.late}


@bp.get("/review/clean-lane")
@role_required(*STAFF)
def clean_lane_offers():
    """The clean lane: clean applications offered as ready-made batches, the decision due soonest first.

    Clean: ready, confirmed by every ISP or operator concerned (none pending or disputed, none off Raasta), the
    documents the category needs, no warning finding, in no batch awaiting approval. Offers hold at most
    CLEAN_LANE_BATCH_SIZE applications each; at most 20 offers are listed (the rest follow once these are batched).
    Returns {"offers": [{"application_ids", "count", "oldest_due_at", "late"}], "total", "batch_size"}:
    "oldest_due_at" is the soonest decision due time in the offer (ISO 8601, Pakistan time; null when none of
    them has one) and "late" whether it has passed.
    """
    lane = clean_lane.lane()
    return jsonify({"offers": [_offer_json(offer) for offer in lane.offers], "total": lane.total,
                    "batch_size": lane.batch_size})


@bp.post("/review/clean-lane")
@documented(body=schemas.CLEAN_LANE_OFFER, status=201)
@role_required(*STAFF)
def batch_clean_lane_offer():
    """Batch one offer of the clean lane ({"application_ids": [...]}): 201 with the batch and what was left out.

    The caller is the maker; another reviewer approves the batch as any other. The offered applications are read
    again under lock: those no longer clean (batched meanwhile, validated again with a warning, disputed by their
    ISP...) are left out, each named in "left_out": [{"application_id", "message"}]; when none is still clean
    nothing is batched and the 409's details name each. 422 for ids that are not a non-empty list of whole numbers.
    """
    body = known_fields(json_body(), ["application_ids"], _("batching a clean lane offer"))
    with committed():
        made = clean_lane.batch_offer(body.get("application_ids"), current_user)
    return jsonify(_batch_json(made.batch) | {"left_out": made.left_out}), 201


@bp.post("/batches/<int:batch_id>/approve")
@role_required(*STAFF)
def approve_batch(batch_id: int):
    """Approve every application in the batch and publish: 200 {"state": "published", "whitelist_serial"}.

    Maker-checker: the reviewer who made the batch gets 403. All-or-nothing: if any application
    changed since it was batched, or overlaps space approved for another applicant (or another
    applicant's application in the same batch), nothing is approved and the 409's details name each problem.
    """
    with committed():
        batch = batches.approve_batch(_batch(batch_id), current_user)
    return jsonify(_batch_json(batch))


@bp.delete("/batches/<int:batch_id>/applications/<int:application_id>")
@documented(body=schemas.BATCH_REMOVAL, body_required=False)
@role_required(*STAFF)
def remove_from_batch(batch_id: int, application_id: int):
    """Take one application out of a batch awaiting approval: 200 with the batch as it is now.

    The maker or any other reviewer; audited with who did it and the optional {"reason"}. The application
    goes back to the queue as it was, to be batched again or decided alone. 404 when the application is
    not in the batch; 409 when the batch is no longer awaiting approval, or when it is the batch's last
    application (cancel the batch instead).
    """
    batch = _batch(batch_id)
    # A bare DELETE is enough; a JSON body may carry the reason.
    body = known_fields(json_body(), ["reason"], _("removing from a batch")) if request.content_length else {}
    with committed():
        batches.remove_from_batch(batch, [application_id], current_user, reasons={application_id: body.get("reason")})
    return jsonify(_batch_json(batch))


@bp.post("/batches/<int:batch_id>/cancel")
@role_required(*STAFF)
def cancel_batch(batch_id: int):
    """Cancel a batch awaiting approval; its applications can be batched again."""
    with committed():
        batch = batches.cancel_batch(_batch(batch_id), current_user)
    return jsonify(_batch_json(batch))
