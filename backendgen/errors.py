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


class GitError(BackendgenError):
    """A git operation on the generated project failed."""
