"""`flask documents migrate`, `verify` and `orphans`: documents' files moved into the document store, the store
checked, and the bytes no document names found (and removed)."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import Document
from app.services import document_files, document_store
from app.services.document_verification import orphans, problems
from app.system.plurals import counted
from app.transactions import committed

documents = AppGroup("documents", help="Move documents into the document store and check it.")


def _named(document: Document) -> str:
    return f"document {document.id} ({document.display_name!r} on application {document.application_id})"


@documents.command("migrate")
def migrate() -> None:
    """Move the files under instance/documents/ into the document store (DOCUMENT_STORE), each checked against the
    sha256 its document recorded, one commit each; a file is removed only once its move is committed.

    Run it again after an interruption: what is stored already is skipped. Exits 1 naming each document whose file
    is missing or holds other bytes than it recorded; those files are left where they are."""
    tally = {document_files.MOVED: 0, document_files.ALREADY_STORED: 0}
    failed = 0
    for document_id in document_files.waiting():
        with committed():
            # Locked: an applicant removing it meanwhile waits for this move, or this finds it gone.
            document = db.session.scalar(select(Document).where(Document.id == document_id).with_for_update())
            if document is None or document.stored_name is None:
                continue
            name, path, recorded = _named(document), document_files.file_path(document), document.sha256
            move = document_files.move(document)
        if move.outcome == document_files.MISMATCH:
            click.echo(f"The file {path} of {name} hashes to {move.actual_sha256}, not the {recorded} "
                       "recorded at upload: left in place, not stored.", err=True)
        elif move.outcome == document_files.NO_FILE:
            click.echo(f"The file {path} of {name} is missing, and the store does not hold its bytes.", err=True)
        else:
            tally[move.outcome] += 1
            continue
        failed += 1
    removed = 0
    for path in document_files.stray_files():
        if document_store.exists(document_files.sha256_of(path)):
            path.unlink(missing_ok=True)  # a move interrupted after its commit: the store holds these bytes
            removed += 1
        else:
            click.echo(f"{path} is no document's file; left in place.", err=True)
    click.echo(f"Moved {counted(tally[document_files.MOVED], 'document')} into the store; "
               f"{tally[document_files.ALREADY_STORED]} more had their bytes there already"
               + (f"; removed {counted(removed, 'leftover file')} whose bytes it holds" if removed else "") + ".")
    if failed:
        raise click.ClickException(f"{counted(failed, 'document')} not moved; see above.")


@documents.command("verify")
def verify() -> None:
    """Read every stored document again: each blob's pieces, size and sha256, and each document's bytes found (in
    the store, or in a file `migrate` has still to move). Exits 1 naming each problem and the documents it hits."""
    found = 0
    for problem in problems():
        found += 1
        named = ", ".join(_named(d) for d in problem.documents) or "no document"
        click.echo(f"Blob {problem.sha256}: {problem.what}; named by {named}.", err=True)
    waiting = len(document_files.waiting())
    if unnamed := len(orphans()):
        click.echo(f"{counted(unnamed, 'stored blob')} named by no document (an upload rolled back after its bytes "
                   "were stored): `flask documents orphans --delete` removes them.")
    if found:
        raise click.ClickException(f"{counted(found, 'problem')} in the document store.")
    click.echo(f"Every stored document reads back to its sha256"
               + (f"; {counted(waiting, 'document')} still in files: run `flask documents migrate`." if waiting
                  else "."))


@documents.command("orphans")
@click.option("--delete", is_flag=True, help="Remove them too (each one only if still no document names it).")
def list_orphans(delete: bool) -> None:
    """List the stored bytes that no document names. With DOCUMENT_STORE=s3://... an upload writes its object
    before its transaction commits, so one rolled back, or a process killed in between, leaves such an object;
    the database store never does. With --delete each is removed in a commit of its own, after a last look for a
    document naming it: an upload of the same bytes committing meanwhile keeps them."""
    found = orphans()
    for sha256 in found:
        click.echo(sha256)
    summary = f"{counted(len(found), 'stored blob')} named by no document"
    if delete:
        for sha256 in found:
            with committed():
                document_store.delete_if_unused(sha256)
        # Counted afterwards: with S3 the delete runs after the commit, and not at all if a document came.
        summary += f"; removed {sum(not document_store.exists(sha256) for sha256 in found):,}."
    else:
        summary += ": `flask documents orphans --delete` removes them." if found else "."
    click.echo(summary)
