"""The ``monitoring_observability`` agent unit: ``spec``, ``blueprint``, ``task`` and ``agent``.

The package exports the spec module's names (the slot spec and its parts); the agent's
definition is ``agent.AGENT``.
"""

from backendgen.agents.monitoring_observability.spec import *  # noqa: F403
