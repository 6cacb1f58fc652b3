"""Which features of a generated backend each compliance regime needs, and which a framework lacks.

A renderer that lacks a regime's controls must not hand out a backend labelled with that
regime silently: security defaults are closed. ``backendgen`` refuses such answers unless the
user accepts the gaps (``accept_control_gaps``), and the generated README lists them.
``copier.yml`` asks with the same gaps (``template_extensions/control_gaps.py``);
``tests/unit/test_control_gaps.py`` keeps both in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backendgen.errors import UserInputError
from backendgen.renderers.base import Capability
from backendgen.renderers.registry import renderer_for

REGIME_CONTROLS: Mapping[str, tuple[Capability, ...]] = {
    "gdpr": ("field_encryption", "hash_chained_audit", "subject_rights"),
    "hipaa": ("field_encryption", "hash_chained_audit", "minimum_necessary", "break_glass"),
    "sox": ("hash_chained_audit", "sox_controls"),
    "pci_dss": ("field_encryption", "card_tokenization"),
}
"""The backend features each regime's controls are built on (``security/compliance``)."""

REGIME_LABELS: Mapping[str, str] = {
    "gdpr": "GDPR",
    "hipaa": "HIPAA",
    "sox": "SOX",
    "pci_dss": "PCI DSS",
}
"""How each regime is named to people."""


def control_gaps(framework: str, regimes: Iterable[str]) -> dict[str, list[Capability]]:
    """The features each selected regime needs that the framework's output lacks.

    Args:
        framework: The ``framework`` answer.
        regimes: The ``compliance`` answer.

    Returns:
        The regimes with gaps, each with the missing features in the order of
        :data:`REGIME_CONTROLS`; empty when the output has every control.

    Raises:
        UserInputError: For a framework no renderer serves.
    """
    offered = renderer_for(framework).capabilities
    gaps: dict[str, list[Capability]] = {}
    for regime in regimes:
        missing = [need for need in REGIME_CONTROLS.get(regime, ()) if need not in offered]
        if missing:
            gaps[regime] = missing
    return gaps


def describe_gaps(gaps: Mapping[str, Iterable[str]]) -> str:
    """The gaps in words: ``GDPR (field encryption, subject rights)``, regime by regime."""
    return "; ".join(
        f"{REGIME_LABELS.get(regime, regime)} ({', '.join(c.replace('_', ' ') for c in needs)})"
        for regime, needs in gaps.items()
    )


def check_control_gaps(answers: Mapping[str, Any]) -> None:
    """Refuse answers whose framework lacks controls of the selected regimes, unless accepted.

    Args:
        answers: Complete answers (``framework``, ``compliance``, ``accept_control_gaps``).

    Raises:
        UserInputError: One line naming the missing controls and the three ways out.
    """
    framework = str(answers.get("framework") or "fastapi")
    gaps = control_gaps(framework, answers.get("compliance") or [])
    if gaps and answers.get("accept_control_gaps") is not True:
        raise UserInputError(
            f"the {framework} output lacks controls the selected regimes need: "
            f"{describe_gaps(gaps)}; choose -d framework=fastapi, drop those regimes "
            "(-d compliance=...), or accept the gaps with -d accept_control_gaps=true"
        )
