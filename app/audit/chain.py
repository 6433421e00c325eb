"""The hashed form of an event and the link from one event to the next."""
import hashlib
import json

from app.models import AuditEvent

GENESIS_HASH = "0" * 64
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
HASHED_NAMES = ("seq", "at", "actor_id", "actor_name", "actor_role", "source_ip", "action", "subject_type",
                "subject_id", "data")
HASHED_COLUMNS = tuple(getattr(AuditEvent, name) for name in HASHED_NAMES)


def canonical_values(seq, at, actor_id, actor_name, actor_role, source_ip, action, subject_type, subject_id,
                     data) -> str:
    return _CANONICAL.encode({
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "actor_role": actor_role,
        "source_ip": source_ip,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": data,
    })


def canonical_json(event) -> str:
    """The hashed form of an event: an AuditEvent, or any object with the same attribute names."""
    return canonical_values(*(getattr(event, name) for name in HASHED_NAMES))


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def event_hash(prev_hash: str, event) -> str:
    return chain_hash(prev_hash, canonical_json(event))


def encode(value) -> str:
    """Canonical JSON of any value (the export writes `data` this way)."""
    return _CANONICAL.encode(value)


def checkpoint_message(seq: int, head_hash: str) -> bytes:
    """What a signed checkpoint signs: anyone with the public key can check it, e.g. with openssl."""
    return f"raasta audit head {seq} {head_hash}\n".encode()
