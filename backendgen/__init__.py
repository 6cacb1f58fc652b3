"""backendgen: generate production-grade backends from a Copier skeleton and six typed agents.

Importing the package is cheap: the library API (and with it Copier, git, rich and the LLM
stack) loads on first use of :class:`BackendOrchestratorAgent` or
:class:`CostOptimizationConfig`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backendgen.version import __version__

if TYPE_CHECKING:
    from backendgen.api import BackendOrchestratorAgent, CostOptimizationConfig

__all__ = ["BackendOrchestratorAgent", "CostOptimizationConfig", "__version__"]


def __getattr__(name: str) -> Any:
    """Load the library API on first use of one of its names."""
    if name in ("BackendOrchestratorAgent", "CostOptimizationConfig"):
        from backendgen import api

        return getattr(api, name)
    raise AttributeError(f"module 'backendgen' has no attribute {name!r}")
