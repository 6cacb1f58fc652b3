"""Measure the package's import graph: cycles and the largest modules (issue 11's figures).

Run: ``python bench/import_graph.py`` (prints JSON). Cycles are strongly connected
components of more than one module in grimp's graph (the one import-linter checks), lazy
imports inside functions included.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import grimp

PACKAGE = "backendgen"


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def largest_modules(root: Path, count: int = 3) -> list[tuple[str, int]]:
    """The ``count`` longest modules below ``root``, with their line counts."""
    sizes = [
        (str(path.relative_to(root.parent)), len(path.read_text(encoding="utf-8").splitlines()))
        for path in root.rglob("*.py")
    ]
    return sorted(sizes, key=lambda item: item[1], reverse=True)[:count]


def main() -> None:
    """Print the cycle count, the modules in cycles and the largest modules."""
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    found = cycles(graph)
    package = Path(__import__(PACKAGE).__file__ or "").parent
    print(
        json.dumps(
            {
                "modules": len(graph.modules),
                "import_cycles": len(found),
                "modules_in_cycles": sum(len(c) for c in found),
                "cycles": found,
                "largest_modules": largest_modules(package),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
