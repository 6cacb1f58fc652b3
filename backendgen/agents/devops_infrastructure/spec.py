"""The ``devops_infrastructure`` agent's slot spec: container, Kubernetes, CI/CD."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from backendgen.agents.consistency import duplicates
from backendgen.agents.spec_base import ShortText, SlotSpec, SpecPart

CiStage = Literal["lint", "typecheck", "test", "security", "build"]
"""A stage of the generated CI pipeline, in the order they run."""

Environment = Literal["staging", "production"]
"""A deployment environment."""

ALL_CI_STAGES: tuple[CiStage, ...] = ("lint", "typecheck", "test", "security", "build")
ALL_ENVIRONMENTS: tuple[Environment, ...] = ("staging", "production")


class ResourcesSpec(SpecPart):
    """CPU and memory of one application container (Kubernetes units)."""

    cpu_request: str = Field(
        default="250m", pattern=r"^\d+m?$", max_length=8, description="CPU request."
    )
    cpu_limit: str = Field(default="1", pattern=r"^\d+m?$", max_length=8, description="CPU limit.")
    memory_request: str = Field(
        default="256Mi", pattern=r"^\d+(Mi|Gi)$", max_length=8, description="Memory request."
    )
    memory_limit: str = Field(
        default="512Mi", pattern=r"^\d+(Mi|Gi)$", max_length=8, description="Memory limit."
    )


class ScalingSpec(SpecPart):
    """Replica count and horizontal autoscaling."""

    min_replicas: int = Field(default=2, ge=1, le=100, description="Replicas at rest.")
    max_replicas: int = Field(default=6, ge=1, le=500, description="Most replicas under load.")
    target_cpu_percent: int = Field(
        default=70, ge=10, le=95, description="Average CPU utilisation the autoscaler aims for."
    )

    @model_validator(mode="after")
    def _check_bounds(self) -> ScalingSpec:
        if self.min_replicas > self.max_replicas:
            raise ValueError("scaling.min_replicas is larger than scaling.max_replicas")
        return self


class EnvVarSpec(SpecPart):
    """An environment variable the application reads."""

    name: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]{1,60}$", max_length=61, description="Variable name."
    )
    description: ShortText = Field(default="", description="What it configures.")
    secret: bool = Field(default=False, description="Comes from a Secret, never a ConfigMap.")
    value: str = Field(
        default="", max_length=200, description="Non-secret default value ('' for secrets)."
    )

    @model_validator(mode="after")
    def _check_secret_has_no_value(self) -> EnvVarSpec:
        if self.secret and self.value:
            raise ValueError(f"secret variable '{self.name}' must not carry a value")
        return self


class DevopsInfrastructureSpec(SlotSpec):
    """How the backend is built, shipped and run."""

    python_version: Literal["3.11", "3.12"] = Field(
        default="3.12", description="Python version of the container image."
    )
    port: int = Field(default=8000, ge=1024, le=65535, description="Port the app listens on.")
    workers: int = Field(default=2, ge=1, le=32, description="Uvicorn worker processes.")
    resources: ResourcesSpec = Field(default_factory=ResourcesSpec, description="Container size.")
    scaling: ScalingSpec = Field(default_factory=ScalingSpec, description="Replicas.")
    env: list[EnvVarSpec] = Field(
        default_factory=list, max_length=40, description="Environment the app reads."
    )
    ci_stages: list[CiStage] = Field(
        default_factory=lambda: list(ALL_CI_STAGES),
        min_length=1,
        max_length=5,
        description="CI stages, run in this order.",
    )
    environments: list[Environment] = Field(
        default_factory=lambda: list(ALL_ENVIRONMENTS),
        max_length=2,
        description="Deployment environments the pipeline promotes through.",
    )

    @model_validator(mode="after")
    def _check_names(self) -> DevopsInfrastructureSpec:
        problems = duplicates((e.name for e in self.env), "environment variable")
        problems += duplicates(self.ci_stages, "CI stage")
        if problems:
            raise ValueError("; ".join(problems))
        return self
