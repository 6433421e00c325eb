"""Process plumbing beside the domain: the launcher behind `make run`, the web server, embedded Redis, the
start-up checks (preflight), the instance's generated keys, SQLite's connection settings, memory limits."""
