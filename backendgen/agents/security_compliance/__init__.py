"""The ``security_compliance`` agent unit: ``spec``, ``blueprint``, ``task`` and ``agent``.

The package exports the spec module's names (the slot spec and its parts); the agent's
definition is ``agent.AGENT``.
"""

from backendgen.agents.security_compliance.spec import *  # noqa: F403
