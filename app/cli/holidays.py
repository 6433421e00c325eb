"""`flask holidays add|list|remove`: the official holidays the decision clock skips."""
import click
from flask.cli import AppGroup

from app.services import ServiceError
from app.services import holidays as service
from app.transactions import committed

holidays = AppGroup("holidays", help="List the holidays the decision clock skips, add and remove them.")


def _changed(change) -> object:
    """Run `change()` and commit; a refusal becomes one "Error: ..." line naming the input, and exit status 1."""
    try:
        with committed():
            return change()
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None


@holidays.command("add")
@click.argument("day")
@click.argument("name", nargs=-1, required=True)
def add(day: str, name: tuple[str, ...]) -> None:
    """Add DAY (YYYY-MM-DD) as the holiday NAME, e.g. `flask holidays add 2027-03-23 Pakistan Day`."""
    holiday = _changed(lambda: service.add_holiday(day, " ".join(name)))
    click.echo(f"Added {holiday.day.isoformat()} {holiday.name}.")


@holidays.command("remove")
@click.argument("day")
def remove(day: str) -> None:
    """Take DAY (YYYY-MM-DD) off the holiday list."""
    holiday = _changed(lambda: service.remove_holiday(day))
    click.echo(f"Removed {holiday.day.isoformat()} {holiday.name}.")


@holidays.command("list")
def list_() -> None:
    """Every listed holiday, earliest first: one "YYYY-MM-DD NAME" line each."""
    for holiday in service.all_holidays():
        click.echo(f"{holiday.day.isoformat()} {holiday.name}")
