"""The attack suite's serving seam: :mod:`tests.serving`, which picks a recipe per framework.

Everything else talks HTTP to the running process and reads the project's specs
(``.copier-answers.yml``), so a renderer for another framework adds a recipe there.
"""

from __future__ import annotations

from tests.serving import (
    STARTUP_SECONDS,
    Server,
    free_port,
    migrate,
    run_to_exit,
    server_command,
    server_env,
    start_server,
)

__all__ = [
    "STARTUP_SECONDS",
    "Server",
    "free_port",
    "migrate",
    "run_to_exit",
    "server_command",
    "server_env",
    "start_server",
]
