"""The address engine: strict parsing, special-purpose registry, overlap index, aggregation.

Pure Python on netaddr, numpy and geoip2fast; no Flask or database imports (but app.i18n, whose
refusals read in the caller's language and in English outside a request), so the queue, the forms,
the API and the exports all call the same code.
"""
from app.addresses.aggregate import aggregate, aggregate_columns, write_aggregate
from app.addresses.batch import ParsedBlock, parse_block
from app.addresses.columns import RangeColumns, format_ipv4_cidrs, read_columns
from app.addresses.findings import Finding, classify
from app.addresses.overlap import CodedColumn, IndexEntry, OverlapIndex
from app.addresses.parsing import EntryError, parse_entry
from app.addresses.ranges import AddressRange

__all__ = [
    "AddressRange", "CodedColumn", "EntryError", "Finding", "IndexEntry", "OverlapIndex", "ParsedBlock",
    "RangeColumns", "aggregate", "aggregate_columns", "classify", "format_ipv4_cidrs",
    "parse_block", "parse_entry", "read_columns", "write_aggregate",
]
