"""The compliance controls this service implements, each mapped to its code and its proofs.

The traceability matrix ``controls.yaml`` beside this module is the one source: every control
names a regime, the requirement in our own words, a *feature*, the file and name of the code
implementing it, and the tests proving it. ``GET /compliance/controls`` lists it,
``docs/COMPLIANCE.md`` shows it, and ``tests/integration/test_compliance.py`` is parametrised
from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

import yaml

Regime = Literal["gdpr", "hipaa", "sox", "pci_dss"]
"""A compliance regime."""

Feature = Literal[
    "audit_log",
    "field_encryption",
    "access_control",
    "data_export",
    "right_to_erasure",
    "retention",
    "password_policy",
    "token_expiry",
    "card_number_guard",
    "sox_immutability",
    "sox_maker_checker",
    "sox_distinct_references",
    "hipaa_minimum_necessary",
    "documentation_retention",
    "consent",
    "hipaa_break_glass",
    "pci_tokenization",
]
"""A feature of the backend that implements a control."""

MATRIX: Final = Path(__file__).with_name("controls.yaml")
"""The traceability matrix."""


@dataclass(frozen=True)
class Control:
    """A control of a compliance regime, the code that implements it and the tests that prove it."""

    regime: Regime
    """Regime the control belongs to."""
    control_id: str
    """Identifier of the control in the regime, e.g. ``Art. 17``."""
    title: str
    """The requirement, in our own words."""
    feature: Feature
    """Backend feature that implements the control."""
    implemented_by: str | None
    """Dotted path of the implementing code, ``None`` when this configuration lacks it."""
    proven_by: tuple[str, ...]
    """Pytest node ids of the tests that prove the control."""


def _dotted(place: Any) -> str | None:
    """``{file: security/x.py, symbol: f}`` -> ``security.x.f``."""
    if place is None:
        return None
    module = str(place["file"]).removesuffix(".py").replace("/", ".")
    return f"{module}.{place['symbol']}"


def _regime(value: object) -> Regime:
    if value not in get_args(Regime):
        raise ValueError(f"{MATRIX.name}: unknown regime {value!r}")
    return cast(Regime, value)


def _feature(value: object) -> Feature:
    if value not in get_args(Feature):
        raise ValueError(f"{MATRIX.name}: unknown feature {value!r}")
    return cast(Feature, value)


def _load() -> tuple[dict[Feature, str | None], tuple[Control, ...]]:
    matrix = yaml.safe_load(MATRIX.read_text(encoding="utf-8"))
    implementations = {
        _feature(name): _dotted(entry["implemented_by"])
        for name, entry in matrix["features"].items()
    }
    controls = tuple(
        Control(
            regime=_regime(entry["regime"]),
            control_id=str(entry["control_id"]),
            title=str(entry["requirement"]),
            feature=_feature(entry["feature"]),
            implemented_by=_dotted(entry["implemented_by"]),
            proven_by=tuple(str(test) for test in entry["proven_by"]),
        )
        for entry in matrix["controls"]
    )
    return implementations, controls


_IMPLEMENTATIONS, CONTROLS = _load()
"""Feature -> dotted path of the implementing code; the controls declared for this service."""


def implementation_of(feature: Feature) -> str | None:
    """Return the dotted path of the code implementing ``feature``.

    Args:
        feature: A control feature.

    Returns:
        ``module.attribute``, or ``None`` when this configuration lacks the feature: no
        authentication (``auth: none``) for access control, password policy and token
        expiry; no encrypted fields, no retention policies, or auditing switched off.
    """
    return _IMPLEMENTATIONS[feature]


def is_implemented(feature: Feature) -> bool:
    """Return whether this configuration implements ``feature``."""
    return implementation_of(feature) is not None


def controls_for(feature: Feature) -> tuple[Control, ...]:
    """Return the declared controls that ``feature`` implements."""
    return tuple(control for control in CONTROLS if control.feature == feature)
