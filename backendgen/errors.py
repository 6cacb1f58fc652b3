"""The exception hierarchy of backendgen.

The CLI maps :class:`UserInputError` to exit code 2 with its one-line message, and every
other :class:`BackendgenError` to exit code 1.
"""

from __future__ import annotations


class BackendgenError(Exception):
    """Base of every error backendgen raises on purpose."""

    exit_code = 1


class UserInputError(BackendgenError):
    """Bad input from the user: answers, flags, domain files, destinations.

    The message is one line the user can act on.
    """

    exit_code = 2


class TemplateError(BackendgenError):
    """The template could not be found, versioned or rendered."""


class TemplateLayoutError(UserInputError, TemplateError):
    """The template's layout leaves backendgen nothing to render for a slot.

    For instance a templated ``_subdirectory`` that resolves to a missing folder, or a slot no
    template file reads: rendering on would commit an empty project, so it stops (exit 2).
    """


class GitError(BackendgenError):
    """A git operation on the generated project failed."""


class ConflictError(BackendgenError):
    """A template update or an agent re-render left merge conflicts in the work tree.

    Nothing is committed; the conflicted files keep inline markers for the user to resolve.
    The CLI prints the message, the files and the next steps, and exits 3.
    """

    exit_code = 3

    def __init__(self, message: str, files: list[str], next_steps: list[str]) -> None:
        """Describe the conflict.

        Args:
            message: One line saying what stopped.
            files: Conflicted paths, relative to the project.
            next_steps: Commands or actions that finish the job, one per line.
        """
        super().__init__(message)
        self.files = files
        self.next_steps = next_steps


class CheckFailedError(BackendgenError, AssertionError):
    """A check of ``backendgen verify`` (a validator, the tests, a linter) found problems.

    The message holds the command and its output. It is an ``AssertionError`` too, so a test
    calling a validator directly fails with the tool's output.
    """


class ToolMissingError(BackendgenError):
    """A tool a check needs is not installed; the check did not run."""

    def __init__(self, tool: str, install: str) -> None:
        """Name the tool and how to install it.

        Args:
            tool: The missing program or Python module.
            install: The command that installs it.
        """
        super().__init__(f"{tool} is not installed: {install}")
        self.tool = tool
        self.install = install


class LlmRequestError(BackendgenError):
    """An LLM request was not made, or its answer is unusable; the agent falls back.

    Never reaches the CLI: the agent that raised it falls back to its blueprint, and the
    message is its fallback reason.
    """


class ModelRefusalError(LlmRequestError):
    """The model refused to answer (the ``refusal`` field of its message)."""


class SpendCapError(LlmRequestError):
    """The run's measured spend would pass ``--max-cost``; no further request is sent."""
