"""Validation: a submitted application's checks, run on the queue, end in `ready` or `flagged`.

Starts at queue.enqueue_one (the applicant submits), runs in batch.validate_many (the worker's job), with
the ordered checks in checks/; prechecks runs the queue-free ones on every draft save; retries covers
failures, re-validation after approvals and the sweeper for lost jobs.
"""
