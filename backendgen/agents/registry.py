"""The agents: the six built-in units and the plugins installed beside them.

The registry derives everything that used to be copied by hand: the agent names, their slots
(the hidden Copier answers ``slot_<name>`` of ``copier.yml``) and the order of their commits.
A plugin agent is an installed distribution with an entry point in the ``backendgen.agents``
group naming its :class:`~backendgen.agents.base.AgentDefinition` (``docs/plugins.md``).
"""

from __future__ import annotations

from importlib.metadata import entry_points

from backendgen.agents.base import AgentDefinition
from backendgen.agents.core_backend.agent import AGENT as CORE_BACKEND
from backendgen.agents.devops_infrastructure.agent import AGENT as DEVOPS_INFRASTRUCTURE
from backendgen.agents.documentation.agent import AGENT as DOCUMENTATION
from backendgen.agents.monitoring_observability.agent import AGENT as MONITORING_OBSERVABILITY
from backendgen.agents.security_compliance.agent import AGENT as SECURITY_COMPLIANCE
from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.testing_qa.agent import AGENT as TESTING_QA

__all__ = [
    "AGENTS",
    "AGENT_NAMES",
    "AGENT_SLOTS",
    "BUILTIN_AGENTS",
    "PLUGIN_GROUP",
    "PLUGIN_PROBLEMS",
    "AgentDefinition",
    "agent_named",
    "load_plugins",
]

PLUGIN_GROUP = "backendgen.agents"
"""The entry point group plugin agents register in."""

# Every agent reads the core spec; only documentation also waits for another agent (it writes a
# runbook per monitoring alert). Devops, monitoring and documentation read only the declared
# entities of the core spec, so they start with core: the critical path is the longer of core
# then security or testing, and monitoring then documentation.
BUILTIN_AGENTS: tuple[AgentDefinition, ...] = (
    CORE_BACKEND,
    SECURITY_COMPLIANCE,
    DEVOPS_INFRASTRUCTURE,
    MONITORING_OBSERVABILITY,
    DOCUMENTATION,
    TESTING_QA,
)
"""The six built-in agents, in a topological order of the DAG (the order of their commits)."""

AGENT_SLOTS: tuple[str, ...] = tuple(agent.slot for agent in BUILTIN_AGENTS)
"""The Copier answers that carry the built-in agents' slot specs (``copier.yml`` asks them)."""


def _plugin_problem(name: str, value: object, taken: set[str]) -> str | None:
    """Why the entry point ``name`` (loaded as ``value``) is not a usable agent, if it is not."""
    if not isinstance(value, AgentDefinition):
        return f"plugin agent '{name}' is not a backendgen AgentDefinition"
    if not (isinstance(value.spec_type, type) and issubclass(value.spec_type, SlotSpec)):
        return f"plugin agent '{value.name}' has a spec type that is not a SlotSpec"
    if value.name in taken:
        return f"plugin agent '{name}' is named '{value.name}', like an agent already registered"
    unknown = sorted(set(value.depends_on) - taken)
    if unknown:
        return f"plugin agent '{value.name}' depends on unknown agents: {', '.join(unknown)}"
    if value.template is None or not value.template.is_dir():
        return f"plugin agent '{value.name}' names no template folder (AgentDefinition.template)"
    return None


def load_plugins(
    known: tuple[AgentDefinition, ...],
) -> tuple[tuple[AgentDefinition, ...], tuple[str, ...]]:
    """Load the plugin agents of the ``backendgen.agents`` entry point group.

    A plugin that fails to import or is not a valid agent is left out and reported, so the
    registry itself never raises; the engine refuses to generate while a problem stands.

    Args:
        known: The agents registered before the plugins (the built-ins).

    Returns:
        The plugin agents, sorted by entry point name, and one line per broken plugin.
    """
    agents: list[AgentDefinition] = []
    problems: list[str] = []
    taken = {agent.name for agent in known}
    for point in sorted(entry_points(group=PLUGIN_GROUP), key=lambda point: point.name):
        try:
            value = point.load()
        except Exception as error:  # any failure of third-party code is the plugin's
            first = str(error).splitlines()[0] if str(error) else ""
            problems.append(
                f"plugin agent '{point.name}' ({point.value}) failed to import: "
                f"{type(error).__name__}{': ' + first if first else ''}"
            )
            continue
        problem = _plugin_problem(point.name, value, taken)
        if problem is not None:
            problems.append(problem)
            continue
        agents.append(value)
        taken.add(value.name)
    return tuple(agents), tuple(problems)


_PLUGINS, PLUGIN_PROBLEMS = load_plugins(BUILTIN_AGENTS)
"""One line per installed plugin agent that could not be used."""

AGENTS: tuple[AgentDefinition, ...] = (*BUILTIN_AGENTS, *_PLUGINS)
"""Every agent, in a topological order of the DAG (the order of their commits)."""

AGENT_NAMES: tuple[str, ...] = tuple(agent.name for agent in AGENTS)


def agent_named(name: str) -> AgentDefinition:
    """Return the agent called ``name``.

    Raises:
        KeyError: If there is no such agent.
    """
    for agent in AGENTS:
        if agent.name == name:
            return agent
    raise KeyError(name)
