"""``backendgen verify``: the quality gate of a generated project, one timed check per tool."""
