import click
from flask.cli import AppGroup

from app.services.accounts import find_user
from app.services.tokens import issue_token
from app.transactions import committed

tokens = AppGroup("tokens", help="Manage API tokens.")


@tokens.command("create")
@click.argument("email")
@click.option("--label", default="cli", help="What the token is for.")
def create(email: str, label: str) -> None:
    """Print a new API token for EMAIL. It is shown once and stored hashed."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account with email {email!r}; create it with `flask users create`.")
    with committed():
        token = issue_token(user, label)
    click.echo(token)
