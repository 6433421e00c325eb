"""What the code needs from the machine it runs on, usable from every layer: memory handed back to the
operating system after a large build, secrets generated once into instance/, SQLite's settings for several
processes sharing one file. Nothing here starts a process (that is app.runtime)."""
