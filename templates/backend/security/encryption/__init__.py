"""Encryption at rest of sensitive fields."""
