"""`flask whitelist verify`: is the latest version what the database approves, byte for byte?

Three checks, none trusting this host's files. The bodies: each format of the latest version assembled again
from the pieces the database holds must have the sha256 and size recorded for it. The blocks: every block rendered
again from the approved space now must equal its recorded pieces, except the blocks waiting for the next
publication (marked, or holding an approval that has expired since). The feeds: each operator's rows rendered
again from its approved subscriptions must equal its recorded csv, except those marked or expiring likewise. A
difference outside those is something a change failed to mark: `flask whitelist publish --full` publishes the
corrected list.
"""
import tempfile
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import IspOrganisation, WhitelistBlob, WhitelistDirtyBlock
from app.models.types import utcnow
from app.services.publication import block_store, bodies, feeds, files, pieces
from app.services.publication.dirty import BlockKey
from app.services.publication.publish import latest_version


class Verdict(NamedTuple):
    serial: int | None
    mismatched_bodies: list[str]  # formats whose body assembled from the database's pieces is not the recorded one
    stale_blocks: list[BlockKey]  # blocks whose recorded pieces differ from the approved space, unmarked
    pending_blocks: int           # blocks waiting for the next publication
    stale_feeds: list[str] = []   # organisations whose feed differs from their approved subscriptions, unmarked

    @property
    def intact(self) -> bool:
        return not self.mismatched_bodies and not self.stale_blocks and not self.stale_feeds


def verify_latest() -> Verdict:
    version = latest_version()
    if version is None:
        return Verdict(None, [], [], 0)
    blocks = block_store.current()
    recorded = {f.format: f for f in files.files_of(version)}
    mismatched = []
    with tempfile.TemporaryDirectory(dir=current_app.config["INSTANCE_DIR"], prefix=".verify-") as scratch:
        local = pieces.build(version.serial, version.content_sha256, blocks, fresh={}, previous=None,
                             under=Path(scratch))
        for fmt, stored in sorted(recorded.items()):
            if db.session.get(WhitelistBlob, stored.sha256) is not None:
                continue  # published before blocks (migration 0016): the body is stored whole
            sha256, path = bodies.write_one(fmt, files.facts(version), local, Path(scratch) / "bodies")
            if sha256 != stored.sha256 or path.stat().st_size != stored.size:
                mismatched.append(fmt)
    now = utcnow()
    pending = set(map(tuple, db.session.execute(select(WhitelistDirtyBlock.version, WhitelistDirtyBlock.block)))) \
        | block_store.expiring_keys(version.published_at, now)
    was = {ref.key: ref for ref in blocks}
    keys = block_store.keys_with_space(now) | set(was)
    stale = [key for key, block in sorted(block_store.rendered(keys - pending, now).items())
             if block_store.differs(was.get(key), block, block_store.piece_shas(block))]
    stale_feeds = [db.session.get(IspOrganisation, organisation_id).name
                   for organisation_id in feeds.stale_organisations(version, now)]
    return Verdict(version.serial, mismatched, stale, len(pending), stale_feeds)

