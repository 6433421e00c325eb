"""The tamper-evident audit trail: record(action, subject, actor, **data) is the one way to write it.

Each event's hash covers the previous event's hash and the event's canonical JSON, so rewriting
any past event breaks every hash after it. record() only adds to the transaction: the event is chained
when it commits (the head is locked only then) and rolls back with the change it describes. Database
triggers (migrations 0002, 0005) refuse UPDATE, DELETE and any INSERT at or below the head; verify_chain()
finds any rewrite done by someone who got past them, including one that recomputed every hash (signed
checkpoints).

chain: canonical form and hashes. append: record(). verify: checking. query: reading and export.
"""
from app.audit.append import INTERNAL, record, record_head, subject_key
from app.audit.chain import GENESIS_HASH, canonical_json, checkpoint_message, event_hash
from app.audit.query import EXPORT_COLUMNS, event_dict, export_lines, record_export, search, timeline
from app.audit.verify import ChainReport, verify_chain

__all__ = [
    "EXPORT_COLUMNS", "GENESIS_HASH", "INTERNAL", "ChainReport", "canonical_json", "checkpoint_message",
    "event_dict", "event_hash", "export_lines", "record", "record_export", "record_head", "search", "subject_key",
    "timeline", "verify_chain",
]
