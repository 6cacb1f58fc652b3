"""Blueprint of the ``monitoring_observability`` agent: SLOs, alerts and panels."""

from __future__ import annotations

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.core_backend import CoreBackendSpec, EntitySpec
from backendgen.agents.monitoring_observability import (
    AlertSpec,
    MonitoringObservabilitySpec,
    PanelSpec,
    SloSpec,
    TracingSpec,
)
from backendgen.domain.naming import bounded_name

AVAILABILITY = {"small": 99.0, "medium": 99.5, "large": 99.9, "enterprise": 99.95}
"""Availability objective per answered scale."""

SAMPLE_RATIO = {"small": 1.0, "medium": 0.25, "large": 0.1, "enterprise": 0.05}
"""Share of traces sampled per answered scale."""


def _key_entities(core: CoreBackendSpec, limit: int = 3) -> list[EntitySpec]:
    """The most referenced entities: the ones whose failures hurt the most."""

    def references(entity: EntitySpec) -> int:
        return sum(r.target == entity.name for e in core.entities for r in e.relationships)

    return sorted(core.entities, key=references, reverse=True)[:limit]


def monitoring_blueprint(source: BlueprintInput) -> MonitoringObservabilitySpec:
    """Derive SLOs and alerts for the API and its most central entities.

    Args:
        source: Answers (scale) and the core spec.

    Returns:
        The monitoring spec.
    """
    scale = source.answers.scale
    availability = AVAILABILITY[scale]
    error_budget = round(1 - availability / 100, 6)
    key = _key_entities(source.core)
    slos = [SloSpec(name="api_availability", availability_percent=availability)]
    slos += [
        SloSpec(
            name=bounded_name(e.module, "_latency", 41),
            entity=e.name,
            availability_percent=availability,
        )
        for e in key
    ]
    alerts = [
        AlertSpec(
            name="ApiHighErrorRate",
            signal="error_rate",
            threshold=max(error_budget * 10, 0.01),
            severity="critical",
            summary="More than the error budget allows of API requests fail with 5xx",
        ),
        AlertSpec(
            name="ApiHighLatency",
            signal="latency_p95",
            threshold=0.5,
            severity="warning",
            summary="API p95 latency is above 500 ms",
        ),
        AlertSpec(
            name="ApiSaturated",
            signal="saturation",
            threshold=50,
            severity="warning",
            summary="Many requests are in flight at once",
        ),
    ]
    alerts += [
        AlertSpec(
            name=f"{e.name}HighErrorRate",
            signal="error_rate",
            entity=e.name,
            threshold=0.05,
            summary=f"{e.name} endpoints fail with 5xx",
        )
        for e in key
    ]
    panels = [
        PanelSpec(title="Requests per second", signal="request_rate"),
        PanelSpec(title="Error ratio (5xx)", signal="error_rate"),
        PanelSpec(title="p95 latency", signal="latency_p95"),
        PanelSpec(title="In-flight requests", signal="saturation"),
    ]
    panels += [
        PanelSpec(title=f"{e.name} requests per second", signal="request_rate", entity=e.name)
        for e in key
    ]
    return MonitoringObservabilitySpec(
        slos=slos,
        alerts=alerts,
        panels=panels,
        tracing=TracingSpec(sample_ratio=SAMPLE_RATIO[scale]),
    )
