"""The streamed path for big files: read in windows of lines, written in chunks; the same answers."""
import importlib
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from app.addresses import aggregate_columns, read_columns, write_aggregate
from tests.addresses.test_address_aggregate import LINE

# The modules, not the functions of the same name that app.addresses exports.
aggregate_module = importlib.import_module("app.addresses.aggregate")
columns_module = importlib.import_module("app.addresses.columns")


@settings(max_examples=60, deadline=None)
@given(st.lists(LINE, max_size=60), st.integers(min_value=1, max_value=64), st.integers(min_value=1, max_value=5))
def test_small_windows_and_chunks_change_nothing(lines, window, chunk):
    text = "\n".join(lines + ["39.32.12.0/24", "39.32.13.0-39.32.13.9", "2400::/32", "39.32.12.7"])
    whole = read_columns(text)
    saved = columns_module.WINDOW_BYTES, aggregate_module.SPLIT_CHUNK, columns_module.OUTPUT_CHUNK
    columns_module.WINDOW_BYTES, aggregate_module.SPLIT_CHUNK, columns_module.OUTPUT_CHUNK = window, chunk, chunk
    try:
        windowed = read_columns(text)
        out = io.BytesIO()
        write_aggregate(out, windowed)
    finally:
        columns_module.WINDOW_BYTES, aggregate_module.SPLIT_CHUNK, columns_module.OUTPUT_CHUNK = saved
    assert windowed.v4_starts.tolist() == whole.v4_starts.tolist() and windowed.v4_ends.tolist() == whole.v4_ends.tolist()
    assert [(n, raw, e.code) for n, raw, e in windowed.errors] == [(n, raw, e.code) for n, raw, e in whole.errors]
    assert out.getvalue().decode().splitlines() == aggregate_columns(whole)


def test_written_aggregate_is_the_listed_one():
    columns = read_columns(b"39.32.12.0/25\n39.32.12.128/25\n10.0.0.1\n2400::/33\n2400:0:8000::/33\nbad\n")
    out = io.BytesIO()
    write_aggregate(out, columns)
    assert out.getvalue() == b"10.0.0.1/32\n39.32.12.0/24\n2400::/32\n"
    assert aggregate_columns(columns) == ["10.0.0.1/32", "39.32.12.0/24", "2400::/32"]
