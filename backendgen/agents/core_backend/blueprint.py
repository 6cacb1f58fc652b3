"""Blueprint of the ``core_backend`` agent: the domain's entities as declared."""

from __future__ import annotations

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.core_backend import EXTERNAL, CoreBackendSpec

PAGE_SIZES = {"small": (20, 100), "medium": (20, 100), "large": (50, 200), "enterprise": (50, 500)}
"""Default and maximum page size per answered scale."""


def core_blueprint(source: BlueprintInput) -> CoreBackendSpec:
    """Return the domain's entities and enums with pagination sized for the scale.

    Args:
        source: Answers and domain.

    Returns:
        The core backend spec.
    """
    page_size, max_page_size = PAGE_SIZES[source.answers.scale]
    return CoreBackendSpec.model_validate(
        {
            "entities": source.domain.entities,
            "enums": source.domain.enums,
            "page_size": page_size,
            "max_page_size": max_page_size,
        },
        context={EXTERNAL: source.external},
    )
