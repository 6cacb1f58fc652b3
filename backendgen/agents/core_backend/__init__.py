"""The ``core_backend`` agent unit: ``spec``, ``blueprint``, ``task`` and ``agent``.

The package exports the spec module's names (the slot spec and its parts); the agent's
definition is ``agent.AGENT``.
"""

from backendgen.agents.core_backend.spec import *  # noqa: F403
