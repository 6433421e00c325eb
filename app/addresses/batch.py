"""parse_block: a pasted block of entries, with every bad line reported, not just the first."""
from dataclasses import dataclass, field

from app.addresses.parsing import EntryError, parse_entry
from app.addresses.ranges import AddressRange


@dataclass
class ParsedBlock:
    """Good entries and refused entries, each with its 1-based line number and raw text."""

    ranges: list[tuple[int, str, AddressRange]] = field(default_factory=list)
    errors: list[tuple[int, str, EntryError]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def split_entries(text: str):
    """Yield (line number, raw entry) for each entry: split on newlines and commas,
    drop `#` comments and blank pieces."""
    for line_no, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0]
        for piece in content.split(","):
            if piece.strip():
                yield line_no, piece.strip()


def parse_block(text: str) -> ParsedBlock:
    """Parse every entry of a pasted block; refusals are collected, never fatal."""
    block = ParsedBlock()
    for line_no, raw in split_entries(text):
        try:
            block.ranges.append((line_no, raw, parse_entry(raw)))
        except EntryError as error:
            block.errors.append((line_no, raw, error))
    return block
