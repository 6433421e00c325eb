"""RQ jobs: each takes ids, loads rows, calls a service and commits. Queue names live in app.queues."""
