"""What every command that changes something does with it: commit it, or say why not in one line."""
import click

from app.services import ServiceError
from app.transactions import committed


def committed_change(change):
    """Run `change()` and commit; a refusal becomes one "Error: ..." line naming the input, and exit status 1."""
    try:
        with committed():
            return change()
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
