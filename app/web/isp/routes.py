"""The ISP's pages: the latest whitelist and its history, confirmations, webhook settings.

Whitelist pages are for everyone who may read the whitelist (ISPs, reviewers, admins); downloads
here use the session and serve the same stored bytes as the API (app.services.publication.files).
Confirmations and the webhook belong to one ISP organisation and are for its users only.
"""
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from app.choices import ConfirmationState, Role, State, WhitelistFormat
from app.config import REPO_ROOT
from app.extensions import db
from app.i18n import _, _l
from app.models import WhitelistVersion
from app.services import ServiceError
from app.services import isp_confirmations as confirmations
from app.services.isp_organisations import organisation_of
from app.services.publication import feeds, files
from app.services.publication.signing import public_key_pem
from app.services.publication.webhooks import (
    recent_deliveries,
    retry_intervals,
    set_webhook,
)
from app.transactions import committed
from app.web.isp import bp, isp_only, readers
from app.web.isp.forms import AnswerForm, WebhookForm
from app.web.outcomes import commit_or_flash

SYNC_SCRIPT = REPO_ROOT / "docs" / "isp" / "raasta-whitelist-sync.sh"
VERSIONS_PER_PAGE = 50
CONFIRMATIONS_PER_PAGE = 50
DIFF_SHOWN = 2000  # CIDRs listed per side; the API's diff gives them all
# What each format is for, in the words of the engineer picking one.
FORMAT_USES = {
    WhitelistFormat.TXT: _l("one CIDR a line: scripts, any firewall"),
    WhitelistFormat.CSV: _l("one row per CIDR of each approved entry, with applicant and dates"),
    WhitelistFormat.JSON: _l("entries with metadata, serial and audit head"),
    WhitelistFormat.IPSET: _l("ipset restore, then ipset swap"),
    WhitelistFormat.NFT: _l("nftables: nft -f"),
    WhitelistFormat.CISCO: _l("Cisco IOS prefix-lists"),
    WhitelistFormat.MIKROTIK: _l("MikroTik RouterOS address-lists"),
}


def _sync_script() -> str | None:
    try:
        return SYNC_SCRIPT.read_text(encoding="utf-8")
    except OSError:
        return None


@bp.get("/")
@readers
def index():
    version = files.version_by_ref(files.LATEST)
    organisation = organisation_of(current_user) if current_user.role == Role.ISP else None
    counts = confirmations.state_counts(organisation) if organisation else None
    feed = feeds.feeds_of(version.serial, organisation) if organisation and version else []
    return render_template("isp/index.html", version=version, files=files.files_of(version) if version else [],
                           sync_script=_sync_script(), counts=counts, format_uses=FORMAT_USES, feed=feed,
                           organisation=organisation)


def _file_or_404(serial: int, fmt: str) -> files.FileRef:
    found = files.file_ref(serial, fmt) if fmt in WhitelistFormat.ALL else None
    if found is None:
        abort(404)
    return found


@bp.get("/whitelist/<int:serial>/<fmt>")
@readers
def download(serial: int, fmt: str):
    return send_body(_file_or_404(serial, fmt), f"raasta-whitelist-{serial}.{fmt}", WhitelistFormat.MEDIA_TYPES[fmt])


@bp.get("/whitelist/<int:serial>/<fmt>/signature")
@readers
def signature(serial: int, fmt: str):
    return send_signature(_file_or_404(serial, fmt), f"raasta-whitelist-{serial}.{fmt}")


def send_body(found, download_name: str, media_type: str):
    """A stored body (a files.FileRef, or an operator's feeds.FeedRef) as a download, ETag its sha256."""
    response = send_file(files.body_path(found.sha256, found.size), as_attachment=True, download_name=download_name,
                         etag=found.sha256, max_age=None)
    # Set here, not through send_file's mimetype, which would add a second charset to text types.
    response.headers["Content-Type"] = media_type
    return response


def send_signature(found, download_name: str):
    return Response(found.signature, mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{download_name}.sig"'})


@bp.get("/signing-key.pem")
@readers
def signing_key():
    return Response(public_key_pem(), mimetype="application/x-pem-file",
                    headers={"Content-Disposition": 'attachment; filename="raasta-signing-key.pem"'})


@bp.get("/versions")
@readers
def versions():
    before = request.args.get("before", type=int)
    query = select(WhitelistVersion).order_by(WhitelistVersion.serial.desc()).limit(VERSIONS_PER_PAGE + 1)
    if before:
        query = query.where(WhitelistVersion.serial < before)
    rows = db.session.scalars(query).all()
    older = rows[VERSIONS_PER_PAGE - 1].serial if len(rows) > VERSIONS_PER_PAGE else None
    return render_template("isp/versions.html", versions=rows[:VERSIONS_PER_PAGE], older=older)


@bp.get("/versions/<int:serial>")
@readers
def version_diff(serial: int):
    """What changed in version `serial` since the one before it (or since ?from=N)."""
    new = files.version_by_ref(serial)
    if new is None:
        abort(404)
    old_serial = request.args.get("from", type=int, default=serial - 1)
    old = files.version_by_ref(old_serial) if old_serial >= 1 else None
    if old_serial >= 1 and old is None:
        abort(404)
    changes = files.diff(old, new) if old else None
    return render_template("isp/diff.html", version=new, old=old, changes=changes, shown=DIFF_SHOWN)


@bp.get("/confirmations")
@isp_only
def confirmation_list():
    organisation = organisation_of(current_user)
    state = request.args.get("state", ConfirmationState.PENDING)
    if state not in ConfirmationState.ALL:
        abort(404)
    rows = confirmations.confirmations_for(organisation, state, after_id=request.args.get("after_id", 0, type=int),
                                           limit=CONFIRMATIONS_PER_PAGE)
    forms = {c.application_id: AnswerForm(prefix=f"a{c.application_id}", formdata=None) for c in rows}
    parts = {c.application_id: confirmations.part_of(c) for c in rows}
    return render_template("isp/confirmations.html", organisation=organisation, state=state, rows=rows, forms=forms,
                           parts=parts,
                           counts=confirmations.state_counts(organisation),
                           next_after=rows[-1].id if len(rows) == CONFIRMATIONS_PER_PAGE else None)


def _answered(confirmation) -> str:
    number = confirmation.application_id
    if confirmation.state == ConfirmationState.CONFIRMED:
        return _("Application %(id)s: confirmed.", id=number)
    if confirmation.application.state == State.SUSPENDED:
        return _("Application %(id)s: disputed; the reviewer and the applicant see your reason. It was approved, so "
                 "its approval is suspended and the whitelist published now leaves it out.", id=number)
    return _("Application %(id)s: disputed; the reviewer and the applicant see your reason.", id=number)


def _about(application_id: int):
    """A refusal's message, naming the application: the page lists many."""
    return lambda message: _("Application %(id)s: %(message)s", id=application_id, message=message)


@bp.post("/confirmations/<int:application_id>")
@isp_only
def answer(application_id: int):
    confirmation = confirmations.confirmation_for(application_id, organisation_of(current_user))
    if confirmation is None:
        abort(404)
    form = AnswerForm(prefix=f"a{application_id}")
    if form.validate_on_submit():
        commit_or_flash(lambda: confirmations.answer(confirmation, form.answer.data, form.reason.data, current_user),
                        _answered,
                        about=_about(application_id))
    else:
        flash(_about(application_id)(str(next(iter(form.errors.values()))[0])), "error")
    return redirect(url_for("isp.confirmation_list", state=request.args.get("state") or None))


@bp.route("/webhook", methods=["GET", "POST"])
@isp_only
def webhook():
    organisation = organisation_of(current_user)
    form = WebhookForm(data={"url": organisation.webhook_url})
    had_webhook = organisation.webhook_url is not None
    if form.validate_on_submit():
        try:
            with committed():
                set_webhook(organisation, None if form.remove.data else form.url.data, current_user)
        except ServiceError as exc:
            form.url.errors = [*form.url.errors, exc.message]
        else:
            flash(_("Webhook saved: the next new version is announced to it.") if organisation.webhook_url
                  else _("Webhook removed.") if had_webhook else _("No webhook is set; nothing to remove."),
                  "success" if organisation.webhook_url or had_webhook else "info")
            return redirect(url_for("isp.webhook"))
    return render_template("isp/webhook.html", organisation=organisation, form=form,
                           deliveries=recent_deliveries(organisation), retry_minutes=sum(retry_intervals()) // 60,
                           timeout=current_app.config["WEBHOOK_TIMEOUT"])
