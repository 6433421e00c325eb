"""Review: reviewers' decisions on validated applications, maker-checker batches, and approvals' end.

Starts at queue (what waits, filtered), then decisions on one application (reject, request information,
override) or batches (one reviewer makes, another approves into approved_space and publishes); approvals
handles revocation and expiry; reopening lets an applicant take an unbatched application back to draft.
"""
