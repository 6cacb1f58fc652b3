"""backendgen: generate production-grade backends from a Copier skeleton and six typed agents."""

from __future__ import annotations

__version__ = "0.1.0"

from backendgen.api import BackendOrchestratorAgent, CostOptimizationConfig

__all__ = ["BackendOrchestratorAgent", "CostOptimizationConfig", "__version__"]
