"""OverlapIndex: every approved and pending entry, asked "what does this range touch?".

Layout (per IP version). Distinct (start, end) intervals are sorted by start ascending, end
descending, then peeled into *layers*: layer 0 holds the intervals not contained in an
earlier one, layer 1 the same among the rest, and so on. Inside one layer no interval
contains another, so starts and ends are both strictly increasing and the intervals that
overlap a query are one contiguous slice, found with two binary searches. Every interval
of layer L+1 lies inside one of layer L, so the walk stops at the first layer with no hit.
A query therefore costs O(log n) when nothing overlaps and O(log n + k) when the k hits are
not nested; each level of nesting among the hits adds one pair of binary searches.

Build is vectorised (numpy sort and running maxima), so a million rows load in well under
a second. An index never changes once built: the national register keeps the changes since its
build in a small second index (app/services/national_register.py).
"""
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

import numpy as np

from app.addresses.ranges import AddressRange


class IndexEntry(NamedTuple):
    """One stored entry. This is also the row shape build() takes: a tuple or any object
    with these attributes, e.g. a SQLAlchemy row of whitelist entries."""

    version: int
    start: int
    end: int
    application_id: Any
    applicant_id: Any
    state: str


class _Layer(NamedTuple):
    starts: Sequence[int]     # strictly increasing
    ends: Sequence[int]       # strictly increasing
    groups: Sequence[int]     # distinct-interval number of each position


def _int_sequence(values: np.ndarray) -> Sequence[int]:
    """A bisect-friendly copy: array('q') for int64 (a memcpy, and bisect probes it faster
    than a list), a list of Python ints for IPv6 object arrays."""
    if values.dtype == object:
        return values.tolist()
    sequence = array("q")
    sequence.frombytes(memoryview(np.ascontiguousarray(values, dtype=np.int64)).cast("B"))  # one copy
    return sequence


class _VersionIndex:
    """The immutable layered structure for one IP version."""

    def __init__(self, version: int, columns: list[np.ndarray], owners):
        """`columns` is [starts, ends, row numbers]; it is emptied, so that each array can be freed as soon
        as the build is done with it (a million entries: tens of MB fewer at the peak)."""
        self.version = version
        self.owners = owners                 # (application_ids, applicant_ids, states) columns
        self.layers: list[_Layer] = []
        self.group_rows: Sequence[int] = []  # row numbers, grouped by distinct interval
        self.group_offsets: Sequence[int] = []
        if len(columns[2]):
            self._build(columns)
        columns.clear()

    def _build(self, columns: list[np.ndarray]):
        starts, ends, rows = columns
        columns.clear()
        if starts.dtype == object:           # IPv6: 128-bit keys, sorted by Python
            order = np.array(sorted(range(len(rows)), key=lambda i: (starts[i], -ends[i])),
                             dtype=np.int64)
        else:
            order = np.lexsort((-ends, starts))
        self.group_rows = _int_sequence(rows[order])
        del rows
        starts, ends = starts[order], ends[order]
        del order
        new_group = np.ones(len(starts), bool)
        new_group[1:] = (starts[1:] != starts[:-1]) | (ends[1:] != ends[:-1])
        firsts = np.flatnonzero(new_group)
        del new_group
        self.group_offsets = _int_sequence(np.append(firsts, len(starts)))
        distinct = [starts[firsts], ends[firsts]]
        del starts, ends, firsts
        self._peel(distinct)

    def _peel(self, distinct: list[np.ndarray]):
        starts, ends = distinct
        distinct.clear()
        groups = np.arange(len(starts), dtype=np.int32 if len(starts) < 2**31 else np.int64)
        while len(groups):
            reach = np.maximum.accumulate(ends)
            outer = np.ones(len(ends), bool)
            outer[1:] = ends[1:] > reach[:-1]      # not inside an earlier interval
            self.layers.append(_Layer(_int_sequence(starts[outer]), _int_sequence(ends[outer]),
                                      _int_sequence(groups[outer])))
            inner = ~outer
            starts, ends, groups = starts[inner], ends[inner], groups[inner]

    def query(self, start: int, end: int) -> list[IndexEntry]:
        found = []
        offsets, rows = self.group_offsets, self.group_rows
        for starts, ends, groups in self.layers:
            first = bisect_left(ends, start)
            stop = bisect_right(starts, end, first)
            if first >= stop:
                break
            for position in range(first, stop):
                group = groups[position]
                for row in rows[offsets[group]:offsets[group + 1]]:
                    found.append(self.entry(row, starts[position], ends[position]))
        return found

    def entry(self, row: int, start: int, end: int) -> IndexEntry:
        application_ids, applicant_ids, states = self.owners
        return IndexEntry(self.version, start, end, application_ids[row], applicant_ids[row],
                          states[row])

    def entries(self):
        for starts, ends, groups in self.layers:
            for group, start, end in zip(groups, starts, ends):
                for row in self.group_rows[self.group_offsets[group]:self.group_offsets[group + 1]]:
                    yield self.entry(row, start, end)


def _column(values, dtype=None) -> np.ndarray:
    return values if isinstance(values, np.ndarray) else np.asarray(values, dtype=dtype)


def _keys(column: np.ndarray, rows: np.ndarray, version: int):
    """The start or end of the given rows as int64 (IPv4) or Python ints (IPv6). A 2-D uint64 column holds
    each address as its (high, low) 64-bit halves, as the database stores UInt128: IPv4 is the low half."""
    if column.ndim == 2:
        if version == 4:
            return column[rows, 1].view(np.int64)  # under 2**32: the same bits
        return (column[rows, 0].astype(object) << 64) | column[rows, 1].astype(object)
    return column[rows].astype(np.int64 if version == 4 else object)


class _NumpyOwners:
    """An owner column kept as a numpy array (8 bytes a row, not a Python int each), read as Python values:
    numpy scalars would leak into IndexEntry."""

    __slots__ = ("values",)

    def __init__(self, values: np.ndarray):
        self.values = values

    def __getitem__(self, row: int):
        return self.values[row].item()


class CodedColumn:
    """A column of a few distinct values (e.g. states) as one small integer code a row."""

    __slots__ = ("codes", "values")

    def __init__(self, codes: np.ndarray, values: Sequence):
        self.codes, self.values = codes, tuple(values)

    def __getitem__(self, row: int):
        return self.values[self.codes[row]]


def _owner_column(values):
    if not isinstance(values, np.ndarray):
        return values
    return values.tolist() if values.dtype == object else _NumpyOwners(values)


class OverlapIndex:
    """Approved and pending entries of both IP versions; see the module docstring."""

    def __init__(self):
        self._versions: dict[int, _VersionIndex] = {}

    @classmethod
    def build(cls, rows: Iterable) -> "OverlapIndex":
        """Load from rows shaped like IndexEntry: tuples, named tuples or objects."""
        rows = rows if isinstance(rows, list) else list(rows)
        if rows and isinstance(rows[0], tuple):
            getters = [itemgetter(i) for i in range(6)]
        else:
            getters = [attrgetter(name) for name in IndexEntry._fields]
        # One pass per column: zip(*rows) over a million tuples is several times slower.
        return cls.from_columns(*(list(map(getter, rows)) for getter in getters))

    @classmethod
    def from_columns(cls, version, start, end, application_id, applicant_id, state):
        """Load from six equal-length columns: lists, tuples or numpy arrays; start and end may also be
        (n, 2) uint64 arrays of (high, low) halves, and state a CodedColumn. Numpy owner columns stay
        numpy (a million entries then cost tens of MB, not hundreds)."""
        return cls.from_column_list([version, start, end, application_id, applicant_id, state])

    @classmethod
    def from_column_list(cls, columns: list) -> "OverlapIndex":
        """from_columns(*columns), emptying the list: each column is freed as soon as the build is done with
        it, if the caller holds no other reference (for a million entries, tens of MB off the peak)."""
        version, start, end, application_id, applicant_id, state = columns
        columns.clear()
        index = cls()
        version = _column(version, np.int8)
        owners = tuple(_owner_column(c) for c in (application_id, applicant_id, state))
        start, end = _column(start, object), _column(end, object)
        keyed = {}
        for v in (4, 6):
            rows = np.flatnonzero(version == v)
            if len(rows):
                keyed[v] = [_keys(start, rows, v), _keys(end, rows, v), rows]
        del version, start, end, rows
        for v in sorted(keyed):
            index._versions[v] = _VersionIndex(v, keyed.pop(v), owners)
        return index

    def conflicts(self, rng: AddressRange) -> list[IndexEntry]:
        """Every stored entry that overlaps, contains or lies inside `rng`, sorted by range."""
        found = []
        tier = self._versions.get(rng.version)
        if tier is not None:
            found = tier.query(rng.start, rng.end)
        if len(found) > 1:
            found.sort(key=lambda e: (e.start, e.end))
        return found

    def __iter__(self):
        return (e for tier in self._versions.values() for e in tier.entries())

    @property
    def depth(self) -> dict[int, int]:
        """Layers per IP version: the nesting depth that bounds the binary searches per query."""
        return {version: len(tier.layers) for version, tier in self._versions.items()}

    def __len__(self) -> int:
        return sum(len(tier.group_rows) for tier in self._versions.values())
