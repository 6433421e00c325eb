import click
from flask.cli import AppGroup

from app.choices import Role
from app.services import ServiceError
from app.services.accounts import create_user
from app.services.isp_organisations import create_isp_user
from app.transactions import committed

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(Role.ALL), required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--name", default="", help="Display name.")
@click.option("--organisation", default=None,
              help="Role isp only (and required for it): the ISP organisation, created if new.")
def create(email: str, role: str, password: str, name: str, organisation: str | None) -> None:
    """Create an account and print its id."""
    if role == Role.ISP and not (organisation or "").strip():
        raise click.UsageError("An isp account belongs to an ISP organisation: add --organisation NAME "
                               "(e.g. --organisation PTCL); it is created if new.")
    if role != Role.ISP and organisation is not None:
        raise click.UsageError(f"--organisation is for role isp only; a {role} account belongs to no ISP. "
                               "Leave it out, or use --role isp.")
    try:
        with committed():
            if role == Role.ISP:
                user = create_isp_user(email, password, organisation, name=name)
            else:
                user = create_user(email, password, role=role, name=name)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(user.id)
