"""Integration tests: the whole application over HTTP, on a temporary SQLite database."""
