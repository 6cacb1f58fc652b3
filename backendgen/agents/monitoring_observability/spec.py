"""The ``monitoring_observability`` agent's slot spec: SLOs, alerts, dashboards, tracing."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, model_validator

from backendgen.agents.consistency import duplicates, upstream
from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.spec_base import PascalName, ShortText, SlotSpec, SpecPart

Signal = Literal["error_rate", "latency_p95", "request_rate", "saturation"]
"""A signal derived from the backend's request metrics."""


class SloSpec(SpecPart):
    """A service-level objective on one entity's endpoints (or all endpoints)."""

    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,40}$", max_length=41, description="SLO name in snake_case."
    )
    entity: PascalName | None = Field(
        default=None, description="Entity whose endpoints it covers; None for the whole API."
    )
    availability_percent: float = Field(
        default=99.5, ge=90, le=99.999, description="Share of requests that must not fail (5xx)."
    )
    latency_p95_ms: int = Field(
        default=300, ge=5, le=60000, description="95th percentile latency objective in ms."
    )


class AlertSpec(SpecPart):
    """A Prometheus alert on a request signal."""

    name: str = Field(
        pattern=r"^[A-Z][A-Za-z0-9]{2,60}$", max_length=61, description="Alert name, PascalCase."
    )
    signal: Signal = Field(description="What the alert watches.")
    entity: PascalName | None = Field(
        default=None, description="Entity whose endpoints are watched; None for all."
    )
    threshold: float = Field(
        gt=0,
        description="Fires above this: error ratio (0-1), p95 seconds, requests/s, or in-flight.",
    )
    for_minutes: int = Field(default=5, ge=1, le=120, description="Minutes above threshold.")
    severity: Literal["critical", "warning", "info"] = Field(
        default="warning", description="Routing severity."
    )
    summary: ShortText = Field(description="One-line human summary of what is wrong.")


class PanelSpec(SpecPart):
    """A dashboard panel plotting one signal."""

    title: ShortText = Field(description="Panel title.")
    signal: Signal = Field(description="Signal plotted.")
    entity: PascalName | None = Field(default=None, description="Entity filter; None for all.")


class TracingSpec(SpecPart):
    """OpenTelemetry tracing settings."""

    enabled: bool = Field(default=True, description="Whether spans are recorded.")
    sample_ratio: float = Field(default=0.1, ge=0, le=1, description="Share of traces sampled.")


class MonitoringObservabilitySpec(SlotSpec):
    """What is measured, alerted on and traced."""

    slos: list[SloSpec] = Field(default_factory=list, max_length=40, description="Objectives.")
    alerts: list[AlertSpec] = Field(default_factory=list, max_length=60, description="Alerts.")
    panels: list[PanelSpec] = Field(default_factory=list, max_length=40, description="Panels.")
    tracing: TracingSpec = Field(default_factory=TracingSpec, description="Tracing settings.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Default log level."
    )

    @model_validator(mode="after")
    def _check_consistency(self, info: ValidationInfo) -> MonitoringObservabilitySpec:
        problems = duplicates((a.name for a in self.alerts), "alert")
        problems += duplicates((s.name for s in self.slos), "SLO")
        core = upstream(info, "core_backend")
        if isinstance(core, CoreBackendSpec):
            known = {e.name for e in core.entities}
            for kind, items in (("alert", self.alerts), ("SLO", self.slos), ("panel", self.panels)):
                for item in items:
                    if item.entity is not None and item.entity not in known:
                        problems.append(f"{kind} names unknown entity '{item.entity}'")
        if problems:
            raise ValueError("; ".join(problems))
        return self
