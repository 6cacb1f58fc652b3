"""Re-render one slot of an existing project through Copier's update, and commit it.

The one step ``regenerate``, ``revert`` and their downstream re-runs share: the new slot answer
goes to ``copier update`` on the project's own template version, so edits the team made to
generated files are merged three ways. A merge that leaves conflicts commits nothing: the
markers stay in the work tree and the prepared message waits in ``.git/BACKENDGEN_MSG``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backendgen.errors import ConflictError
from backendgen.generator.git_repo import (
    PENDING_MESSAGE,
    changed_paths,
    commit_all,
    commit_message,
    conflicted_paths,
    write_pending_message,
)
from backendgen.generator.openapi_export import export_openapi
from backendgen.generator.project_state import ProjectState
from backendgen.generator.render import update
from backendgen.generator.template_source import is_bundled_template


def rerender_slot(
    state: ProjectState,
    agent: str,
    data: Mapping[str, Any],
    subject: str,
    trailers: Mapping[str, str],
    *,
    trust: bool,
    then: Sequence[str] = (),
) -> str:
    """Re-render the project with ``data`` (a slot, maybe ``requirements``) and commit it.

    Args:
        state: The open project; its answers are re-read after the commit.
        agent: The agent whose slot changes (for the messages).
        data: Answers to change.
        subject: The commit's subject line.
        trailers: The commit's ``Backendgen-*`` trailers.
        trust: Allow a non-bundled template's Jinja extensions.
        then: What is left to do once the user has resolved a conflict, one step a line.

    Returns:
        The new commit's SHA, or ``""`` when the re-render changed nothing (no commit).

    Raises:
        ConflictError: The update could not merge the team's edits; nothing is committed.
    """
    src = str(state.recorded.get("_src_path", ""))
    ref = state.recorded.get("_commit")
    update(
        state.path,
        src=src,
        vcs_ref=str(ref) if ref else None,
        trusted=trust or is_bundled_template(src),
        data=data,
    )
    changed = changed_paths(state.repo)
    conflicts = conflicted_paths(state.repo, changed)
    if conflicts:
        write_pending_message(state.repo, commit_message(subject, trailers))
        steps = [
            "resolve the conflict markers (<<<<<<< before updating) in the files above",
            f"git commit -a -F .git/{PENDING_MESSAGE}",
        ]
        steps.extend(then)
        raise ConflictError(
            f"re-rendering {agent} conflicts with edits in {len(conflicts)} file(s); "
            f"nothing was committed ({subject})",
            conflicts,
            steps,
        )
    if changed:
        export_openapi(state.path)  # a stale document is named by the project's own test
        changed = changed_paths(state.repo)
    if not changed:
        return ""
    sha = commit_all(state.repo, subject, trailers, allow_empty=False)
    state.reload()
    return sha
