"""Process plumbing beside the domain: the web server, the launcher behind `make run`, embedded Redis."""
