"""The library API of the brief: ``BackendOrchestratorAgent`` and ``CostOptimizationConfig``.

A thin layer over :func:`backendgen.generator.pipeline.generate`, the engine of the CLI; every
figure it returns is measured in the run. It fails where the CLI fails (bad answers, a missing
API key, a destination that is not empty: :class:`backendgen.errors.UserInputError`), and what
the CLI prints as warnings (an agent falling back to its blueprint) goes to the
``backendgen`` logger at WARNING level.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from backendgen.errors import UserInputError
from backendgen.generator.pipeline import GenerationOptions, generate
from backendgen.llm.report import REPORT_PATH, AgentReport, Report
from backendgen.renderers import RENDERERS

LOGGER = logging.getLogger("backendgen")
"""Where the library reports steps (INFO) and warnings such as blueprint fallbacks (WARNING)."""


class LoggingProgress:
    """Reports a generation's steps and warnings to :data:`LOGGER` (library use)."""

    def line(self, text: str) -> None:
        """Log a step at INFO, a ``warning: ...`` line at WARNING."""
        if text.startswith("warning: "):
            LOGGER.warning(text.removeprefix("warning: "))
        else:
            LOGGER.info(text)

    def agent_started(self, name: str) -> None:
        """Log that the agent started."""
        LOGGER.info("%s running", name)

    def agent_finished(self, report: AgentReport) -> None:
        """Log the agent's source and commit."""
        LOGGER.info("%s done from %s (%s)", report.name, report.source, report.commit[:10])


@dataclass
class CostOptimizationConfig:
    """How an orchestrator spends its LLM budget."""

    max_parallel_agents: int = 3
    """Most agents running at once (the DAG decides which may)."""
    batch_size: int = 5
    """Entities per core-agent request when a large domain fans out."""
    token_budget_per_agent: int = 4000
    """Prompt plus completion tokens one agent request may use."""
    enable_caching: bool = True
    """Answer identical requests from the content-addressed cache."""
    prioritize_core_components: bool = True
    """Run ``core_backend`` first (always true: every agent depends on it)."""
    max_cost_usd: float | None = None
    """Run-level spend cap in USD, like MetaGPT's investment: once the measured spend would
    pass it, the remaining agents fall back to their blueprints. None for no cap."""


def _key(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def answers_from_brief(
    tech_stack: Mapping[str, Any],
    system_design: Mapping[str, Any],
    requirements_analysis: Mapping[str, Any],
) -> dict[str, Any]:
    """Translate the brief's three dictionaries into questionnaire answers.

    Args:
        tech_stack: e.g. ``{"language": "Python", "framework": "FastAPI"}``.
        system_design: e.g. ``{"scale": "enterprise", "deployment": "kubernetes"}``.
        requirements_analysis: e.g. ``{"domain": "E-commerce", "compliance": ["GDPR"]}``.

    Returns:
        Answers for :func:`generate` (unknown values are rejected there, one line each).

    Raises:
        UserInputError: For a language or framework without a renderer.
    """
    language = _key(tech_stack.get("language", "python"))
    framework = _key(tech_stack.get("framework", "fastapi"))
    if language != "python" or framework not in RENDERERS:
        available = ", ".join(f"Python/{renderer.label}" for renderer in RENDERERS.values())
        raise UserInputError(
            f"no renderer for {tech_stack.get('language')}/{tech_stack.get('framework')} yet "
            f"(available: {available})"
        )
    answers: dict[str, Any] = {"framework": framework}
    if "database" in tech_stack:
        database = _key(tech_stack["database"])
        answers["database"] = "postgresql" if database == "postgres" else database
    for key in ("scale", "auth"):
        if key in system_design:
            answers[key] = _key(system_design[key])
    if "deployment" in system_design:
        deployment = _key(system_design["deployment"])
        answers["deployment"] = "docker_compose" if "compose" in deployment else deployment
    if "ci_provider" in system_design:
        answers["ci_provider"] = _key(system_design["ci_provider"])
    if "domain" in requirements_analysis:
        answers["domain"] = _key(requirements_analysis["domain"])
    if "compliance" in requirements_analysis:
        answers["compliance"] = [
            _key(r).replace("pcidss", "pci_dss") for r in requirements_analysis["compliance"]
        ]
    for source, target in (
        ("project_name", "project_name"),
        ("description", "project_description"),
        ("requirements", "requirements"),
    ):
        if source in requirements_analysis:
            answers[target] = requirements_analysis[source]
    return answers


class BackendOrchestratorAgent:
    """Generates a backend with the six agents under a cost configuration."""

    def __init__(
        self,
        llm: str | None = None,
        cost_optimization: CostOptimizationConfig | None = None,
        *,
        model: str | None = None,
        base_url: str | None = None,
        output_dir: Path | None = None,
    ) -> None:
        """Configure the orchestrator.

        Args:
            llm: Provider name (``openai``, ``local``, ``blueprint``); None picks ``openai``
                when ``OPENAI_API_KEY``/``OPENAI_BASE_URL`` is set, else ``blueprint``.
            cost_optimization: Budget, parallelism and caching.
            model: Model name for the provider.
            base_url: OpenAI-compatible endpoint.
            output_dir: Where projects are created when ``generate_backend`` is given no
                destination (the current directory by default), as ``output_dir/project_name``.
        """
        self.llm = llm
        self.cost_optimization = cost_optimization or CostOptimizationConfig()
        self.model = model
        self.base_url = base_url
        self.output_dir = output_dir

    def generate_backend(
        self,
        tech_stack: Mapping[str, Any],
        system_design: Mapping[str, Any],
        requirements_analysis: Mapping[str, Any],
        destination: Path | None = None,
    ) -> dict[str, Any]:
        """Generate a backend and return its summary and measured cost figures.

        Args:
            tech_stack: Language, framework, database.
            system_design: Scale, deployment, auth, CI provider.
            requirements_analysis: Domain, compliance regimes, requirements, project name.
            destination: Project directory (missing or empty); default under ``output_dir``.

        Returns:
            ``{"project", "report_path", "summary": {...}, "cost_optimization": {...},
            "report": {...}}``: the project directory, its ``.backendgen/report.json``, file
            and agent figures, measured cost figures and the whole report.

        Raises:
            UserInputError: For answers without a renderer or invalid values, a provider that
                cannot run (``openai`` without an API key or endpoint), or a destination that
                exists and is not empty. Nothing is written then.
        """
        config = self.cost_optimization
        answers = answers_from_brief(tech_stack, system_design, requirements_analysis)
        if destination is None:
            root = self.output_dir or Path.cwd()
            destination = root / str(answers.setdefault("project_name", "enterprise-backend"))
        options = GenerationOptions(
            provider=self.llm,
            model=self.model,
            base_url=self.base_url,
            max_parallel=config.max_parallel_agents,
            entities_per_request=config.batch_size,
            use_cache=config.enable_caching,
            token_budget=config.token_budget_per_agent,
            max_cost_usd=config.max_cost_usd,
        )
        report = generate(destination, answers, options=options, progress=LoggingProgress())
        return _result(destination, report, config)


def _generation_method(report: Report) -> str:
    sources = sorted({a.source for a in report.agents})
    return sources[0] if len(sources) == 1 else "hybrid (" + "+".join(sources) + ")"


def _result(project: Path, report: Report, config: CostOptimizationConfig) -> dict[str, Any]:
    files = [
        p for p in project.rglob("*") if p.is_file() and ".git" not in p.relative_to(project).parts
    ]
    totals = report.totals()
    agent_seconds = float(totals["agent_seconds"])
    return {
        "project": str(project),
        "report_path": str(project / REPORT_PATH),
        "summary": {
            "total_files": len(files),
            "generation_method": _generation_method(report),
            "agents": {a.name: a.source for a in report.agents},
            "seconds": totals["seconds"],
        },
        "cost_optimization": {
            "config": asdict(config),
            "total_cost_usd": totals["cost_usd"],
            "max_cost_usd": config.max_cost_usd,
            "tokens": {
                "prompt": totals["prompt_tokens"],
                "completion": totals["completion_tokens"],
            },
            "requests": totals["requests"],
            "estimated_cost_savings": dict(report.savings),
            "agent_seconds": agent_seconds,
        },
        "report": report.to_dict(),
    }
