"""Service-level fixtures: rows made directly, no HTTP (make_applicant and approved_application
live in tests/conftest.py, shared with the whitelist and ISP tests)."""
