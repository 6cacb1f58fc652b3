"""The domain: models, schemas and the HTTP API (django-ninja)."""
