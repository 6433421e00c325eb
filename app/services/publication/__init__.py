"""Publication: the approved space as immutable, signed, numbered whitelist versions for ISPs.

Starts at publish.publish (called in the transaction of a batch approval, revocation or expiry); files
reads versions and diffs back for downloads; signing holds the Ed25519 key; webhooks tells ISPs of a new
version; audit_checkpoints signs the audit chain's head with the same key.
"""
