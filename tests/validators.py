"""The real validators every generated backend must pass: they live in backendgen.verify.

``backendgen verify`` runs the same ones; this module keeps the suite's names for them.
"""

from __future__ import annotations

from backendgen.errors import ToolMissingError
from backendgen.verify.references import metric_names
from backendgen.verify.validators import VALIDATORS

ValidatorUnavailableError = ToolMissingError
"""A tool a validator needs is not installed here."""

__all__ = ["VALIDATORS", "ValidatorUnavailableError", "metric_names"]
