import click
from flask.cli import AppGroup

from app.choices import Role
from app.extensions import db
from app.services import ServiceError
from app.services.accounts import create_user

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(Role.ALL), required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--name", default="", help="Display name.")
def create(email: str, role: str, password: str, name: str) -> None:
    """Create an account and print its id."""
    try:
        user = create_user(email, password, role=role, name=name)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(user.id)
