"""Jinja extension of the backendgen template: what a framework's output lacks of the regimes.

``control_gaps(framework, compliance)`` (a template global) names, regime by regime, the
features the selected regimes' controls need that the chosen framework's output does not have
yet: ``GDPR (field encryption, hash chained audit, subject rights)``; empty when none.
``copier.yml`` asks ``accept_control_gaps`` only when there are gaps, and refuses to go on
without it. ``backendgen.renderers.controls`` holds the same maps for ``backendgen`` itself;
``tests/unit/test_control_gaps.py`` keeps the two in step. Standard library and Jinja only: it
runs in plain ``copier copy`` and ``copier update``.
"""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import Environment
from jinja2.ext import Extension

NEEDS = {
    "gdpr": ("field_encryption", "hash_chained_audit", "subject_rights"),
    "hipaa": ("field_encryption", "hash_chained_audit", "minimum_necessary", "break_glass"),
    "sox": ("hash_chained_audit", "sox_controls"),
    "pci_dss": ("field_encryption", "card_tokenization"),
}
"""The backend features each regime's controls are built on."""

LACKS = {
    "django": frozenset(
        {
            "field_encryption",
            "hash_chained_audit",
            "sessions",
            "subject_rights",
            "sox_controls",
            "minimum_necessary",
            "break_glass",
            "card_tokenization",
            "business_rules",
            "tracing",
            "kubernetes",
            "ci",
        }
    ),
}
"""What each framework's output does not have yet (none missing for FastAPI)."""

LABELS = {"gdpr": "GDPR", "hipaa": "HIPAA", "sox": "SOX", "pci_dss": "PCI DSS"}


def control_gaps(framework: str, compliance: Iterable[str] | None) -> str:
    """The regimes' missing features in words, regime by regime; empty when there are none."""
    lacks = LACKS.get(framework, frozenset())
    gaps = []
    for regime in compliance or ():
        missing = [need for need in NEEDS.get(regime, ()) if need in lacks]
        if missing:
            named = ", ".join(need.replace("_", " ") for need in missing)
            gaps.append(f"{LABELS.get(regime, regime)} ({named})")
    return "; ".join(gaps)


class ControlGapsExtension(Extension):
    """Adds the ``control_gaps()`` global to the template's environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["control_gaps"] = control_gaps
