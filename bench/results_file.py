"""bench/RESULTS.md, shared by every benchmark: each one rewrites its own section and leaves the others alone."""
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(section: str, lines: list[str], notes: str | None = None) -> None:
    """Replace the section headed `section` (up to the next "## ") by `lines`; keep its hand-written notes, the
    part from the `notes` heading on, which figures do not replace. A section not there yet goes at the end."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if section in text:
        head, _, rest = text.partition(section)
        end = rest.find("\n## ")
        old, tail = (rest, "") if end < 0 else (rest[:end], rest[end:])
        kept = "\n" + old[old.find(notes):].rstrip("\n") + "\n" if notes and notes in old else ""
        text = head + "\n".join(lines) + "\n" + kept + tail
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    RESULTS.write_text(text)
