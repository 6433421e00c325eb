"""OverlapIndex: conflicts equal brute force; build inputs."""
import numpy as np
from hypothesis import given, settings, strategies as st

from app.addresses import AddressRange, IndexEntry, OverlapIndex, parse_entry

PROPERTY = settings(max_examples=120, deadline=None)
V6_BASE = 0x2400 << 112


def entry(text, application_id=1, applicant_id=1, state="pending"):
    rng = parse_entry(text)
    return IndexEntry(rng.version, rng.start, rng.end, application_id, applicant_id, state)


def test_crossing_a_prefix_edge_is_an_overlap():
    index = OverlapIndex.build([entry("39.32.12.0/24", 7, 70, "approved")])
    hits = index.conflicts(parse_entry("39.32.11.250-39.32.12.3"))
    assert [(h.application_id, h.applicant_id, h.state) for h in hits] == [(7, 70, "approved")]
    assert index.conflicts(parse_entry("39.32.11.0/24")) == []
    assert index.conflicts(parse_entry("39.32.13.0")) == []


def test_contains_and_contained_both_conflict():
    index = OverlapIndex.build([entry("39.32.12.0/24", 1), entry("39.32.0.0/16", 2),
                                entry("39.32.12.7", 3), entry("2400:adc0::/48", 4)])
    assert {h.application_id for h in index.conflicts(parse_entry("39.32.12.0/26"))} == {1, 2, 3}
    assert {h.application_id for h in index.conflicts(parse_entry("39.0.0.0/8"))} == {1, 2, 3}
    assert {h.application_id for h in index.conflicts(parse_entry("2400:adc0::5"))} == {4}
    assert index.conflicts(parse_entry("::ffff:39.32.12.7"))[-1].application_id == 3


def test_duplicates_are_all_reported():
    rows = [entry("39.32.12.0/24", n) for n in range(5)]
    index = OverlapIndex.build(rows)
    assert sorted(h.application_id for h in index.conflicts(parse_entry("39.32.12.9"))) == [0, 1, 2, 3, 4]
    assert len(index) == 5


def test_build_accepts_objects_and_numpy_columns():
    class Row:
        def __init__(self, e):
            self.__dict__.update(e._asdict())
    rows = [entry("39.32.12.0/24", 1), entry("2400::/32", 2)]
    assert len(OverlapIndex.build(Row(r) for r in rows)) == 2
    index = OverlapIndex.from_columns(np.array([4, 4]), np.array([10, 30], np.int64),
                                      np.array([20, 40], np.int64), np.array([1, 2]),
                                      np.array([5, 6]), np.array(["pending", "approved"], object))
    assert [h.application_id for h in index.conflicts(AddressRange(4, 15, 35))] == [1, 2]
    assert len(OverlapIndex.build([])) == 0 and OverlapIndex().conflicts(AddressRange(4, 1, 2)) == []


def _entries():
    v4 = st.builds(lambda a, b, app: IndexEntry(4, min(a, b), max(a, b), app, app * 10, "pending"),
                   st.integers(0, 600), st.integers(0, 600), st.integers(1, 30))
    v6 = st.builds(lambda a, b, app: IndexEntry(6, V6_BASE + min(a, b), V6_BASE + max(a, b), app,
                                                app * 10, "approved"),
                   st.integers(0, 600), st.integers(0, 600), st.integers(1, 30))
    return st.one_of(v4, v6)


def brute_force(entries, rng):
    return sorted(e for e in entries
                  if e.version == rng.version and e.start <= rng.end and rng.start <= e.end)


def _query(entry):
    return AddressRange(entry.version, entry.start, entry.end)


@PROPERTY
@given(st.lists(_entries(), max_size=60), st.lists(_entries(), min_size=1, max_size=20))
def test_conflicts_equal_brute_force(stored, queries):
    index = OverlapIndex.build(stored)
    for query in map(_query, queries):
        assert sorted(index.conflicts(query)) == brute_force(stored, query)
