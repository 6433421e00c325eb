"""Publication: the approved space as immutable, signed, numbered whitelist versions for ISPs.

Starts at publish.publish (called in the transaction of a batch approval, revocation or expiry), which re-renders
the address blocks `dirty` marked (block_store keeps each block's pieces across versions), writes this host's
`pieces` and streams every format's body from them (`bodies`, signed as it goes by `signing`). files reads versions
and diffs back for downloads, assembling a body from the database on a host that lacks it; verify checks the latest
version against the database; feeds are the operators' subscriber lists; webhooks tells ISPs of a new version;
audit_checkpoints signs the audit chain's head with the same key.
"""
