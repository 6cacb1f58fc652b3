"""Blueprint of the ``devops_infrastructure`` agent: sizing, environment and pipeline."""

from __future__ import annotations

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.devops_infrastructure import (
    DevopsInfrastructureSpec,
    EnvVarSpec,
    ResourcesSpec,
    ScalingSpec,
)

SIZING: dict[str, tuple[ScalingSpec, ResourcesSpec, int]] = {
    "small": (
        ScalingSpec(min_replicas=1, max_replicas=2),
        ResourcesSpec(
            cpu_request="100m", cpu_limit="500m", memory_request="128Mi", memory_limit="256Mi"
        ),
        1,
    ),
    "medium": (ScalingSpec(min_replicas=2, max_replicas=6), ResourcesSpec(), 2),
    "large": (
        ScalingSpec(min_replicas=3, max_replicas=12),
        ResourcesSpec(
            cpu_request="500m", cpu_limit="2", memory_request="512Mi", memory_limit="1Gi"
        ),
        4,
    ),
    "enterprise": (
        ScalingSpec(min_replicas=4, max_replicas=30, target_cpu_percent=60),
        ResourcesSpec(cpu_request="1", cpu_limit="2", memory_request="1Gi", memory_limit="2Gi"),
        4,
    ),
}
"""Replicas, container size and uvicorn workers per answered scale."""


def devops_blueprint(source: BlueprintInput) -> DevopsInfrastructureSpec:
    """Size the deployment for the scale and list the environment the app reads.

    Args:
        source: Answers (scale, auth, database) and the core spec.

    Returns:
        The devops spec.
    """
    answers = source.answers
    scaling, resources, workers = SIZING[answers.scale]
    env = [
        EnvVarSpec(
            name="ENVIRONMENT", description="Deployment environment name", value="production"
        ),
        EnvVarSpec(name="LOG_LEVEL", description="Application log level", value="INFO"),
        EnvVarSpec(name="DATABASE_URL", description="SQLAlchemy database URL", secret=True),
        EnvVarSpec(
            name="FIELD_ENCRYPTION_KEY",
            description="AES-256-GCM keys of encrypted fields, newest first",
            secret=True,
        ),
        EnvVarSpec(
            name="FIELD_INDEX_KEY",
            description="Key of the blind indexes of encrypted fields (not rotated with them)",
            secret=True,
        ),
        EnvVarSpec(
            name="METRICS_PUBLIC",
            description="Serve /metrics to the Prometheus scrape (closed by default)",
            value="true",
        ),
        EnvVarSpec(name="OTLP_ENDPOINT", description="OTLP/HTTP traces endpoint (empty: off)"),
    ]
    if answers.auth == "jwt":
        env.append(
            EnvVarSpec(name="JWT_SECRET", description="Secret signing access tokens", secret=True)
        )
    return DevopsInfrastructureSpec(
        workers=workers,
        scaling=scaling,
        resources=resources,
        env=env,
        environments=["production"] if answers.scale == "small" else ["staging", "production"],
    )
