"""What the applicant tells the reviewer before anyone asks: a note on the application, and one on any entry
(a range another ISP carries, space a client lent them). Findings say "tell the reviewer why"; this is where.

The notes are part of what the applicant sends: they change with the draft (and like any change, make a
ready or flagged application a draft again), go into the trail with it, and carry into a renewal. An entry
keeps its note while it stays listed, whatever else the applicant edits; reviewers read the notes beside
the findings.
"""
from app.i18n import _, ngettext

MAX_NOTE = 2000  # characters of one note


def note_problem(note, entry: str | None = None, position: int | None = None) -> str | None:
    """What is wrong with a note as sent (None and "" are no note), or None. `entry` (as typed) or `position`
    (counted from 1) names the entry the note is on; neither: the application's note."""
    if note is None:
        return None
    if not isinstance(note, str):
        if position is not None:
            return _("The note on entry %(position)s must be text; send it as a string (or null for none).",
                     position=position)
        if entry is not None:
            return _("The note on %(entry)s must be text; send it as a string (or null for none).", entry=entry)
        return _("The note must be text; send it as a string (or null for none).")
    length = len(note.strip())
    if length > MAX_NOTE:
        limit = f"{MAX_NOTE:,}"
        if position is not None:
            return ngettext("The note on entry %(position)s is %(num)s character; keep it under %(max)s.",
                            "The note on entry %(position)s is %(num)s characters; keep it under %(max)s.",
                            length, position=position, max=limit)
        if entry is not None:
            return ngettext("The note on %(entry)s is %(num)s character; keep it under %(max)s.",
                            "The note on %(entry)s is %(num)s characters; keep it under %(max)s.",
                            length, entry=entry, max=limit)
        return ngettext("The note is %(num)s character; keep it under %(max)s.",
                        "The note is %(num)s characters; keep it under %(max)s.", length, max=limit)
    return None


def tidy(note: str | None) -> str | None:
    return (note or "").strip() or None


def notes_to_keep(application, note: str | None, entry_notes: dict[str, str] | None,
                  inputs: list[str]) -> tuple[str | None, dict[str, str]]:
    """The notes an application holds after a change: `note`, or (None) the one it had; for each entry of
    `inputs` (as stored), the note given for it in `entry_notes`, else the one it had."""
    had = {e.input: e.note for e in application.entries if e.note} if application is not None else {}
    given = {entry: tidy(text) for entry, text in (entry_notes or {}).items()}
    kept_note = tidy(note) if note is not None else (application.applicant_note if application is not None else None)
    return kept_note, {entry: text for entry in inputs if (text := given.get(entry, had.get(entry)))}
