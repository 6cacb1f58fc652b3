"""Accounts, tokens, the permission matrix and the audit log."""
