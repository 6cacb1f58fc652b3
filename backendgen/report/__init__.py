"""``backendgen report``: a generated project's agents, domain, permissions and commits."""
