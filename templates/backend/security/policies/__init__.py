"""Authorisation policies: which role may do what with which entity."""
