"""Authentication (who is calling) and the permission dependency (may they do it)."""
