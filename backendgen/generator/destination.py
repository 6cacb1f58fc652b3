"""The destination directory: checked before work, written only when everything succeeded.

Generation happens in a staging directory beside the destination and is moved into place at
the end, so a failure never leaves a half-written project and never touches an existing one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from backendgen.errors import UserInputError


def check_destination(destination: Path) -> None:
    """Refuse a destination that exists and is not an empty directory.

    Args:
        destination: Where the project will be created.

    Raises:
        UserInputError: If it is a file or a non-empty directory.
    """
    if destination.is_dir():
        if any(destination.iterdir()):
            raise UserInputError(f"destination {destination} exists and is not empty")
    elif destination.exists() or destination.is_symlink():
        raise UserInputError(f"destination {destination} exists and is not a directory")


@contextmanager
def staged(destination: Path) -> Iterator[Path]:
    """Yield a staging directory that replaces ``destination`` when the block succeeds.

    Args:
        destination: The final project directory (missing or empty).

    Yields:
        A fresh directory on the same filesystem as ``destination``.
    """
    check_destination(destination)
    parent = destination.absolute().parent
    created: list[Path] = []
    for ancestor in reversed([parent, *parent.parents]):
        if not ancestor.exists():
            created.append(ancestor)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=parent))
    try:
        yield staging
        check_destination(destination)
        if destination.is_dir():
            destination.rmdir()
        staging.replace(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for directory in reversed(created):
            shutil.rmtree(directory, ignore_errors=True)
        raise
