"""The generation pipeline: scaffold, then one agent after another, one commit each.

questions -> answers -> skeleton render -> commit ``chore: scaffold`` -> per agent in DAG
order: spec -> Copier answer ``slot_<agent>`` -> re-render -> one commit with trailers ->
``.backendgen/report.json``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backendgen.agents.core_backend import USERS_TARGET
from backendgen.agents.registry import AGENT_NAMES, PLUGIN_PROBLEMS
from backendgen.errors import UserInputError
from backendgen.generator.destination import staged
from backendgen.generator.generation import Generation
from backendgen.generator.progress import (
    Progress,
    SilentProgress,
    TokenProgress,
)
from backendgen.generator.template_source import cache_dir, resolve_template
from backendgen.llm.llm_cache import DEFAULT_MAX_BYTES, LlmCache
from backendgen.llm.pricing import load_prices
from backendgen.llm.providers import raw_create, settings_from_environment
from backendgen.llm.report import Report
from backendgen.llm.request_queue import RequestQueue
from backendgen.llm.runtime import LlmRuntime
from backendgen.llm.spend import SpendLedger
from backendgen.questions.answers import (
    check_partial_answers,
)
from backendgen.questions.domain_input import DomainInput, load_domain_input

if TYPE_CHECKING:
    from backendgen.llm.domain_designer import Design

PROVIDERS = ("blueprint", "openai", "local")
"""Providers the CLI accepts."""


@dataclass(frozen=True)
class GenerationOptions:
    """How to generate, besides the answers."""

    template: str | None = None
    """Template git URL or path; None for the bundled template."""
    vcs_ref: str | None = None
    """Template tag or commit; None for the latest tag."""
    provider: str | None = None
    """Where slot specs come from: ``blueprint``, ``openai`` or ``local``; None picks
    ``openai`` when ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is set, else ``blueprint``."""
    model: str | None = None
    """LLM model name (LLM providers only)."""
    base_url: str | None = None
    """OpenAI-compatible endpoint (``openai`` provider only)."""
    max_parallel: int = 3
    """Most LLM requests in flight at once (agents, and the core agent's entity groups)."""
    entities_per_request: int = 4
    """The core agent asks for larger domains in parallel groups of this many entities."""
    use_cache: bool = True
    """Replay cached LLM answers (``--no-cache`` asks again, and stores nothing)."""
    refresh_agents: tuple[str, ...] = ()
    """Agents that ask again instead of replaying cached answers (their new ones are stored)."""
    cache_max_bytes: int = DEFAULT_MAX_BYTES
    """Size limit of the LLM replay cache; least recently used answers are evicted past it."""
    max_cost_usd: float | None = None
    """Run-level spend cap: once the measured spend would pass it, the remaining agents fall
    back to their blueprints."""
    mode: str | None = None
    """Instructor mode override (``tools``, ``json_schema``, ``json``, ``md_json``)."""
    model_path: Path | None = None
    """GGUF model for the ``local`` provider."""
    token_budget: int = 4000
    """Prompt plus completion tokens one agent request may use."""
    prices: Path | None = None
    """Price table overriding the bundled one."""
    timeout_seconds: float = 60.0
    """Per-request timeout of LLM calls."""
    validation_retries: int = 2
    """Re-asks after an answer fails validation."""
    interactive: bool = False
    """Ask unanswered questions on the terminal."""
    trust: bool = False
    """Allow a ``--template``'s Jinja extensions (the bundled template is always trusted)."""
    application: str | None = None
    """The ``baseName`` of the application to generate from a multi-application JDL file."""


def check_options(options: GenerationOptions) -> None:
    """Reject options that cannot work before anything is written.

    Raises:
        UserInputError: For an unknown provider or a bad number.
    """
    if options.provider is not None and options.provider not in PROVIDERS:
        raise UserInputError(
            f"unknown provider '{options.provider}' (choose from {', '.join(PROVIDERS)})"
        )
    if options.token_budget < 500:
        raise UserInputError("--token-budget must be at least 500")
    if options.validation_retries < 0:
        raise UserInputError("--retries must be 0 or more")
    if options.max_parallel < 1:
        raise UserInputError("--max-parallel must be at least 1")
    if options.entities_per_request < 1:
        raise UserInputError("--batch-size must be at least 1")
    if options.max_cost_usd is not None and not options.max_cost_usd >= 0:
        raise UserInputError("--max-cost must be 0 or more (USD)")
    for name in options.refresh_agents:
        if name not in AGENT_NAMES:
            raise UserInputError(
                f"--refresh-agent: unknown agent '{name}' (choose from {', '.join(AGENT_NAMES)})"
            )
    local = options.template is not None and not options.template.startswith(("git@", "gh:", "gl:"))
    if local and "://" not in str(options.template) and not Path(str(options.template)).exists():
        raise UserInputError(f"template {options.template} does not exist")


def resolve_domain(given: Mapping[str, Any], domain_file: Path | None) -> dict[str, Any]:
    """Reconcile ``--domain FILE`` with the ``domain`` answer.

    Returns:
        The given answers, with ``domain: custom`` when a domain file is used.

    Raises:
        UserInputError: When a file and a catalogue domain are both given, or 'custom' lacks
            a file.
    """
    answers = dict(given)
    if domain_file is not None:
        if answers.get("domain", "custom") != "custom":
            raise UserInputError(
                f"--domain FILE replaces the catalogue domain '{answers['domain']}'; drop one"
            )
        answers["domain"] = "custom"
    elif answers.get("domain") == "custom":
        raise UserInputError("domain 'custom' needs a domain spec: pass --domain FILE")
    return answers


def check_description(
    description: str | None,
    given: Mapping[str, Any],
    domain_file: Path | None,
    options: GenerationOptions,
) -> None:
    """Reject a ``--describe`` that cannot work, before anything is written.

    Raises:
        UserInputError: With a domain file or catalogue domain besides it, or the offline
            ``blueprint`` provider (no model to design with).
    """
    if description is None:
        return
    if domain_file is not None:
        raise UserInputError("--describe designs the domain; drop --domain FILE")
    if given.get("domain", "custom") != "custom":
        raise UserInputError(f"--describe designs the domain; drop domain={given['domain']}")
    settings = settings_from_environment(
        options.provider, options.model, options.base_url, options.mode, options.model_path
    )
    if settings is None:
        raise UserInputError(
            "--describe needs an LLM to design the domain: pass --provider openai (with "
            "OPENAI_API_KEY or --base-url) or --provider local; the blueprint provider cannot"
        )


def designed_domain(
    description: str | None,
    given: Mapping[str, Any],
    runtime: LlmRuntime | None,
    say: Callable[[str], None],
) -> Design | None:
    """Have the core agent design the domain from ``description`` (None without one).

    Raises:
        UserInputError: When no valid design came back (nothing is written then).
    """
    if description is None or runtime is None:
        return None
    from backendgen.llm.domain_designer import design_domain  # loads the LLM stack

    design = design_domain(description, list(given.get("compliance") or []), runtime)
    for warning in design.warnings:
        say(f"warning: designed domain: {warning}")
    say(f"domain designed            {len(design.domain.entities)} entities")
    return design


def llm_runtime(options: GenerationOptions) -> LlmRuntime | None:
    """Build the LLM runtime the options ask for; None for the ``blueprint`` provider.

    Raises:
        UserInputError: For an unknown provider or mode, or a missing local model.
    """
    settings = settings_from_environment(
        options.provider, options.model, options.base_url, options.mode, options.model_path
    )
    if settings is None:
        return None
    settings = dataclasses.replace(
        settings,
        timeout_seconds=options.timeout_seconds,
        validation_retries=options.validation_retries,
    )
    cache = (
        LlmCache(cache_dir() / "llm-requests", options.cache_max_bytes)
        if options.use_cache
        else None
    )
    return LlmRuntime(
        settings=settings,
        create=raw_create(settings),
        prices=load_prices(options.prices),
        cache=cache,
        token_budget=options.token_budget,
        max_parallel=options.max_parallel,
        entities_per_request=options.entities_per_request,
        spend=SpendLedger(options.max_cost_usd),
        queue=RequestQueue(options.max_parallel),
        refresh_agents=frozenset(options.refresh_agents),
    )


def checked_input(
    given: Mapping[str, Any],
    domain_file: Path | None,
    say: Callable[[str], None],
    application: str | None = None,
) -> tuple[dict[str, Any], DomainInput | None]:
    """Check the given answers and load the domain file, before anything is rendered.

    Args:
        given: Answers given by the user.
        domain_file: A YAML or JDL domain spec, or None.
        say: Receives the domain file's warnings.
        application: The JDL application to generate (``--application``), or None.

    Returns:
        The answers (the domain file's, overridden by the user's) and the loaded domain.

    Raises:
        UserInputError: For bad answers or a bad domain file.
    """
    answers = resolve_domain(given, domain_file)
    check_partial_answers(answers)
    domain_input = load_domain_input(domain_file, application) if domain_file is not None else None
    if domain_input is not None:
        answers = {**domain_input.answers, **answers}  # the user's own answers win
        for warning in domain_input.warnings:
            say(f"warning: {warning}")
        _check_user_references(answers, domain_input)
    return answers, domain_input


def _check_user_references(answers: Mapping[str, Any], domain_input: DomainInput) -> None:
    """Refuse references to ``User`` (the users table) in a backend without its own users."""
    if answers.get("auth") != "none":
        return
    for entity in domain_input.domain.entities:
        for rel in entity.relationships:
            if rel.target == USERS_TARGET:
                raise UserInputError(
                    f"{entity.name}.{rel.name} references User, the backend's own users table, "
                    "which a backend without auth does not have: use -d auth=jwt"
                )


def _prepared(
    given: Mapping[str, Any],
    domain_file: Path | None,
    options: GenerationOptions,
    description: str | None,
    progress: Progress,
) -> tuple[dict[str, Any], DomainInput | None, LlmRuntime | None, Design | None]:
    """Check the input, build the LLM runtime and design the domain, before any writing.

    A progress display that follows streamed tokens gets them: the answers then stream.
    """
    say = progress.line
    if PLUGIN_PROBLEMS:  # an installed plugin agent is broken: refuse before writing
        raise UserInputError(PLUGIN_PROBLEMS[0])
    check_options(options)
    check_description(description, given, domain_file, options)
    answers, domain_input = checked_input(given, domain_file, say, options.application)
    runtime = llm_runtime(options)
    if runtime is not None and isinstance(progress, TokenProgress):
        runtime = dataclasses.replace(runtime, on_tokens=progress.agent_tokens)
    provider = runtime.settings.provider if runtime else "blueprint"
    say(f"provider: {provider}" + (f" ({runtime.settings.model})" if runtime else ""))
    design = designed_domain(description, answers, runtime, say)
    if design is not None:
        domain_input = DomainInput(design.domain)
        answers = {**answers, "domain": "custom"}
    return answers, domain_input, runtime, design


def generate(
    destination: Path,
    given: Mapping[str, Any],
    *,
    domain_file: Path | None = None,
    options: GenerationOptions | None = None,
    progress: Progress | None = None,
    description: str | None = None,
) -> Report:
    """Generate a backend into ``destination``: scaffold commit, then one commit per agent.

    Args:
        destination: Missing or empty directory to create the project in.
        given: Answers given by the user (flags, answers file); Copier supplies the defaults.
        domain_file: A YAML or JDL domain spec (``domain: custom``), or None for the catalogue.
        options: Template, provider and scheduling options.
        progress: Receives steps, warnings and per-agent events (silent by default).
        description: Prose the core agent designs the domain from (``--describe``); the
            design is saved as :data:`DESIGNED_DOMAIN_FILE` in the project.

    Returns:
        The report, also written to ``.backendgen/report.json``.

    Raises:
        UserInputError: For bad answers, options, domain files or destinations; nothing is
            written then.
    """
    options = options or GenerationOptions()
    progress = progress or SilentProgress()
    given, domain_input, runtime, design = _prepared(
        given, domain_file, options, description, progress
    )
    started = time.perf_counter()
    template = resolve_template(options.template, options.vcs_ref, trust=options.trust)
    report = Report(
        project=str(given.get("project_name", "")),  # Copier's default, once it is known
        template=template.src,
        template_ref="",
        provider=runtime.settings.provider if runtime else "blueprint",
        max_cost_usd=options.max_cost_usd,
        design=design.report if design is not None else None,
    )
    with staged(destination) as project:
        generation = Generation(
            project=project,
            template=template,
            given=given,
            domain=domain_input.domain if domain_input else None,
            runtime=runtime,
            design=design,
            progress=progress,
            interactive=options.interactive,
            report=report,
            started=started,
        )
        return generation.run(options.max_parallel)
