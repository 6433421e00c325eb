"""`flask whitelist publish` and `flask whitelist export`: the contract's whitelist commands."""
import shutil

import click
from flask.cli import AppGroup

from app.choices import WhitelistFormat
from app.services.publication import files
from app.services.publication.publish import publish as publish_version
from app.services.publication.verify import verify_latest
from app.system.plurals import counted
from app.transactions import committed

whitelist = AppGroup("whitelist", help="Publish and export the signed whitelist.")


@whitelist.command("publish")
@click.option("--reason", default="flask whitelist publish", show_default=True,
              help="Why this version is published (kept with the version and in the audit trail).")
@click.option("--full", is_flag=True,
              help="Render every address block from the database again, not only those changed since the last "
                   "version (the same bytes; repairs a block a change failed to mark).")
def publish(reason: str, full: bool) -> None:
    """Publish a new version from what is approved now (none when nothing changed)."""
    with committed():
        version = publish_version(reason, full=full)
    if version is None:
        click.echo(f"Nothing changed since version {files.latest_serial()}; no new version.")
        return
    click.echo(f"Published whitelist version {version.serial} "
               f"({counted(version.entry_count, 'entry')}, {counted(version.prefix_count, 'prefix')}).")


@whitelist.command("verify")
def verify() -> None:
    """Check the latest version against the database: its bodies assembled again from the stored pieces, every
    address block and every operator's feed rendered again from what is approved now. Exits 1 on any difference."""
    verdict = verify_latest()
    if verdict.serial is None:
        click.echo("Nothing is published yet.")
        return
    for fmt in verdict.mismatched_bodies:
        click.echo(f"Version {verdict.serial}'s {fmt} body does not assemble to its recorded sha256.", err=True)
    for version, block in verdict.stale_blocks:
        click.echo(f"IPv{version} block {block} differs from the approved space and is not marked for publication.",
                   err=True)
    for organisation in verdict.stale_feeds:
        click.echo(f"{organisation}'s subscriber feed differs from its approved subscriptions and is not marked for "
                   "publication.", err=True)
    if not verdict.intact:
        raise click.ClickException("Run `flask whitelist publish --full` to publish the corrected list.")
    click.echo(f"Version {verdict.serial} is intact; "
               f"{counted(verdict.pending_blocks, 'block')} waiting for the next publication.")


@whitelist.command("export")
@click.option("--format", "fmt", type=click.Choice(WhitelistFormat.ALL), required=True, help="Which format.")
@click.option("--serial", type=click.IntRange(min=1), help="Version number; default the latest.")
@click.option("--output", type=click.File("wb"), default="-", help="File to write; default stdout.")
def export(fmt: str, serial: int | None, output) -> None:
    """Write the exact stored bytes of one format of a published version."""
    version = files.version_by_ref(files.LATEST if serial is None else serial)
    if version is None:
        latest = files.latest_serial()
        raise click.ClickException("Nothing is published yet; run `flask whitelist publish` first."
                                   if latest is None else f"No whitelist version {serial}; the latest is {latest}.")
    found = files.file_of(version, fmt)
    if found is None:
        raise click.ClickException(f"Whitelist version {version.serial} has no format {fmt!r}; it has "
                                   f"{', '.join(f.format for f in files.files_of(version))}.")
    with files.body_path(found.sha256, found.size).open("rb") as body:
        shutil.copyfileobj(body, output)
