import click
from flask.cli import AppGroup

from app.choices import Role, SponsorKind
from app.services import ServiceError
from app.services.accounts import create_user
from app.services.isp_organisations import create_isp_user
from app.services.sponsors.registry import create_sponsor_user
from app.transactions import committed

users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(Role.ALL), required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--name", default="", help="Display name.")
@click.option("--organisation", default=None,
              help="Roles isp and sponsor only (and required for them): the ISP or sponsor organisation, created if "
                   "new (a new sponsor waits for a reviewer's approval).")
@click.option("--sponsor-kind", type=click.Choice(SponsorKind.ALL), default=SponsorKind.ASSOCIATION,
              help="Role sponsor only: the kind of a new sponsor organisation (default association).")
def create(email: str, role: str, password: str, name: str, organisation: str | None, sponsor_kind: str) -> None:
    """Create an account and print its id."""
    organised = (Role.ISP, Role.SPONSOR)
    if role in organised and not (organisation or "").strip():
        raise click.UsageError(f"A {role} account belongs to an organisation: add --organisation NAME "
                               "(e.g. --organisation PTCL); it is created if new.")
    if role not in organised and organisation is not None:
        raise click.UsageError(f"--organisation is for roles isp and sponsor only; a {role} account belongs to no "
                               "organisation. Leave it out, or use --role isp or --role sponsor.")
    try:
        with committed():
            if role == Role.ISP:
                user = create_isp_user(email, password, organisation, name=name)
            elif role == Role.SPONSOR:
                user = create_sponsor_user(email, password, organisation, name=name, kind=sponsor_kind)
            else:
                user = create_user(email, password, role=role, name=name)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(user.id)
