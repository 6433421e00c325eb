import re
import sys
from datetime import datetime

import click
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask.cli import AppGroup

from app.audit import export_lines, search, verify_chain
from app.services.publication.signing import public_key_pem
from app.system.plurals import counted

audit = AppGroup("audit", help="Check and export the audit trail.")


def _head(ctx, param, values) -> tuple[tuple[int, str], ...]:
    heads = []
    for value in values:
        match = re.fullmatch(r"(\d+):([0-9a-f]{64})", value.strip().lower())
        if not match:
            raise click.BadParameter(f"{value!r} is not SEQ:HASH, e.g. 1207:{'ab' * 32}")
        heads.append((int(match[1]), match[2]))
    return tuple(heads)


@audit.command("verify")
@click.option("--batch-size", default=20_000, show_default=True, help="Events read per round trip.")
@click.option("--expect-head", "expected_heads", multiple=True, callback=_head, metavar="SEQ:HASH",
              help="A head kept outside the database (e.g. from a whitelist's JSON); the chain must contain it.")
def verify(batch_size: int, expected_heads) -> None:
    """Check the append-only triggers, recompute the hash chain, and match every signed or expected head.

    Exits 1 naming the first broken event or each missing trigger.
    """
    report = verify_chain(batch_size=batch_size, public_key=load_pem_public_key(public_key_pem()),
                          expected_heads=expected_heads)
    for name in report.missing_triggers:
        click.echo(f"Protective trigger {name} is missing or disabled: the database no longer refuses "
                   "rewrites of the audit trail. Restore it with the migrations (flask db upgrade on a "
                   "fresh database shows its definition).", err=True)
    if report.broken_seq is not None:
        click.echo(f"Audit chain broken at event {report.broken_seq}: {report.problem}."
                   + (f" Events 1-{report.events} are intact." if report.events else ""), err=True)
    if not report.intact:
        sys.exit(1)
    click.echo(f"Audit chain intact: {counted(report.events, 'event')}, head hash {report.head_hash}.")


@audit.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First UTC day included.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last UTC day included.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write; default stdout.")
def export(fmt: str, since: datetime | None, until: datetime | None, output) -> None:
    """Write events, oldest first, with every stored column (re-verifiable elsewhere)."""
    query = search(since=since.date() if since else None, until=until.date() if until else None)
    for chunk in export_lines(query, fmt):
        output.write(chunk)
