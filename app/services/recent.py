"""Recent: a small per-process map whose entries count only for a few seconds after they were put.

For answers that may be a few seconds old by design (see app/api/not_modified.py), never for
anything that decides a write. Threads of one web process share it: a dict's get, set and pop are
atomic in CPython, and a value is replaced whole, never changed in place, so no lock is needed.
"""
from time import monotonic
from typing import Any, Hashable

MAX_ENTRIES = 10_000  # tokens or formats: a few MB at most; emptied when full rather than tracked per key


class Recent:
    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable) -> Any | None:
        """The value put under `key` less than `seconds` ago, else None."""
        found = self._entries.get(key)
        if found is None or monotonic() - found[0] >= self.seconds:
            return None
        return found[1]

    def put(self, key: Hashable, value: Any) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (monotonic(), value)

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
