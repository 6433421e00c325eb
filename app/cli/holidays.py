"""`flask holidays add|list|remove`: the official holidays the decision clock skips."""
import click
from flask.cli import AppGroup

from app.cli.changes import committed_change
from app.services import holidays as service

holidays = AppGroup("holidays", help="List the holidays the decision clock skips, add and remove them.")


@holidays.command("add")
@click.argument("day")
@click.argument("name", nargs=-1, required=True)
def add(day: str, name: tuple[str, ...]) -> None:
    """Add DAY (YYYY-MM-DD) as the holiday NAME, e.g. `flask holidays add 2027-03-23 Pakistan Day`."""
    holiday = committed_change(lambda: service.add_holiday(day, " ".join(name)))
    click.echo(f"Added {holiday.day.isoformat()} {holiday.name}.")


@holidays.command("remove")
@click.argument("day")
def remove(day: str) -> None:
    """Take DAY (YYYY-MM-DD) off the holiday list."""
    holiday = committed_change(lambda: service.remove_holiday(day))
    click.echo(f"Removed {holiday.day.isoformat()} {holiday.name}.")


@holidays.command("list")
def list_() -> None:
    """Every listed holiday, earliest first: one "YYYY-MM-DD NAME" line each."""
    for holiday in service.all_holidays():
        click.echo(f"{holiday.day.isoformat()} {holiday.name}")
