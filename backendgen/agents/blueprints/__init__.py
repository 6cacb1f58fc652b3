"""The ``blueprint`` provider: deterministic slot specs derived from answers and the domain.

Blueprints are offline and instant. They are the default provider when no LLM is configured
and every LLM agent's fallback.
"""
