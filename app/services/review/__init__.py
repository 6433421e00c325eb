"""Review: reviewers' decisions on validated applications, maker-checker batches, and approvals' end.

Starts at queue (what waits, filtered), then decisions on one application (reject, request information,
override) or batches (one reviewer makes, another approves into approved_space and publishes);
isp_confirmation_rule keeps applications the ISP has not confirmed out of batches when REQUIRE_ISP_CONFIRMATION
is on; approvals handles revocation and expiry; suspensions takes an approval its ISP disputes out of the
whitelist until a reviewer reinstates or revokes it; reopening lets an applicant take an unbatched application
back to draft.
"""
