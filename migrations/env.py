"""Alembic environment, driven by Flask-Migrate and the app's own engine."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
# db.engine, not the deprecated db.get_engine() that Flask-Migrate's template calls.
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))
target_metadata = db.metadata


def _render_item(type_, obj, autogen_context):
    """Render our own column types by their import path, so migrations stay importable."""
    if type_ == "type" and obj.__class__.__module__ == "app.models.types":
        autogen_context.imports.add("import app.models.types")
        return f"app.models.types.{obj.__class__.__name__}()"
    return False


def _options() -> dict:
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("compare_type", True)
    options.setdefault("render_item", _render_item)
    return options


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options = _options()
    options.setdefault("process_revision_directives", process_revision_directives)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
