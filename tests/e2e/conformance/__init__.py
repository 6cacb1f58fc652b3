"""HTTP-level conformance suite: every renderer's output behaves as its specs and OpenAPI say."""
