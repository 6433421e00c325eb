"""Process plumbing beside the domain, what starts and supervises processes: the launcher behind `make run`,
the web server, the embedded Redis and the start-up checks (preflight). Entry points: nothing in app/ imports
these but each other; the helpers every layer may use are in app.system."""
