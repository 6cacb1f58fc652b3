"""The agent unit: one agent's name, spec, dependencies, blueprint, task and context.

Every agent is one folder, ``backendgen/agents/<name>/``: ``spec.py`` (the slot spec and its
validators), ``blueprint.py`` (the offline derivation and LLM fallback), ``task.py`` (what it
tells the model, the context it sends) and ``agent.py`` (this definition, ``AGENT``). Plugin
agents provide the same definition through the ``backendgen.agents`` entry point group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.task_context import ContextBuilder

SLOT_PREFIX = "slot_"
"""Prefix of the Copier answer holding an agent's spec."""


@dataclass(frozen=True)
class AgentDefinition:
    """One agent: its name, spec type, the agents it depends on, and its blueprint."""

    name: str
    """Stable agent name, e.g. ``security_compliance``."""
    spec_type: type[SlotSpec]
    """The pydantic model the agent returns."""
    depends_on: tuple[str, ...]
    """Agents whose specs this one reads."""
    blueprint: Callable[[BlueprintInput], SlotSpec]
    """Deterministic offline derivation of the spec (and the LLM fallback)."""
    scope: str
    """Conventional-commit scope of the agent's commit."""
    task: str = ""
    """The task sentence of the agent's system prompt (``<name>/task.py``)."""
    context: ContextBuilder | None = None
    """Builds the agent's prompt context (``<name>/task.py``); without it the model sees the
    answers and the declared domain."""
    template: Path | None = None
    """A plugin agent's own template folder, rendered with its spec into the project (see
    ``docs/plugins.md``); None for the six built-in agents, whose files are the bundled
    template's slot files."""
    fans_out: bool = False
    """Whether a large domain is asked for in parallel groups of entities (``core_backend``)."""
    starts_on_declared: tuple[str, ...] = ()
    """Dependencies of which the agent reads only the declared part (the domain's own
    entities, which the core agent keeps): it starts without waiting for their answers."""
    speculates_on: tuple[str, ...] = ()
    """Dependencies of which the agent reads more than the declared part, yet starts on it:
    when their answers come, the agent's result stands if its input is unchanged (the same
    prompt, and it still validates), and it is asked again on the answers otherwise."""

    @property
    def slot(self) -> str:
        """The Copier answer holding this agent's spec."""
        return f"{SLOT_PREFIX}{self.name}"
