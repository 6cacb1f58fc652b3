"""The domain kernel: entities, fields, relationships, enums, roles, samples and naming.

It describes a business domain and nothing else: no framework, no agent, no LLM, no
Copier. It imports nothing of backendgen but :mod:`backendgen.errors` (a shared leaf), and
every other layer builds on it (``docs/architecture.md``).
"""
