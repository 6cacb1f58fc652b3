"""Business operations on the entities, independent of HTTP."""
