"""The service's domain: configuration, database, models, schemas, services and HTTP API."""
