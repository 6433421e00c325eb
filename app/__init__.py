"""Raasta: the IP and VPN whitelisting portal."""
from flask import Flask

from app.config import REPO_ROOT, Config


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        instance_path=str(config.INSTANCE_DIR),
    )
    app.config.from_object(config)
    _private_instance_dir(app)
    _load_instance_secrets(app)
    from app.url_converters import IdConverter
    app.url_map.converters["int"] = IdConverter

    from app.extensions import csrf, db, limiter, login_manager, migrate, queues

    db.init_app(app)
    _wait_through_database_restarts(app, db)
    migrate.init_app(app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    queues.init_app(app)

    from app import (
        auth,
        errors,
        input_guard,
        language_choice,
        security_headers,
        template_filters,
    )
    language_choice.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    input_guard.init_app(app)
    security_headers.init_app(app)
    template_filters.init_app(app)

    from app.api import bp as api_bp
    from app.web.account import bp as account_bp
    from app.web.admin import bp as admin_bp
    from app.web.applicant import bp as applicant_bp
    from app.web.audit import bp as audit_bp
    from app.web.auth import bp as auth_bp
    from app.web.health import bp as health_bp
    from app.web.isp import bp as isp_bp
    from app.web.main import bp as main_bp
    from app.web.review import bp as review_bp
    from app.web.sponsor import bp as sponsor_bp
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(applicant_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(isp_bp)
    app.register_blueprint(sponsor_bp)
    app.register_blueprint(api_bp)

    from app.api.not_modified import NotModifiedShortcut
    if app.config["POLL_CACHE_SECONDS"] > 0:
        app.wsgi_app = NotModifiedShortcut(app, prefix=f"{api_bp.url_prefix}/whitelist/")

    from app.cli import register_commands
    register_commands(app)
    return app


def _wait_through_database_restarts(app: Flask, db) -> None:
    from app.system.database_restarts import wait_through_restarts

    with app.app_context():
        wait_through_restarts(db.engine, app.config["DATABASE_CONNECT_WAIT"])


def _private_instance_dir(app: Flask) -> None:
    """instance/ holds the database, keys, documents and mail: only this account may enter it."""
    path = app.config["INSTANCE_DIR"]
    path.mkdir(parents=True, exist_ok=True)
    try:
        path.chmod(0o700)
    except PermissionError:  # a directory someone else owns (e.g. a mounted volume): theirs to set
        pass


def _load_instance_secrets(app: Flask) -> None:
    from app.system.instance_keys import secret_key

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.config["INSTANCE_DIR"])
