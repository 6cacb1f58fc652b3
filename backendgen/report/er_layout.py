"""A deterministic layout of the domain's ER diagram: boxes on a grid, straight labelled edges.

Entities go row by row on a near-square grid in the domain's order; each box lists its fields
(the first :data:`MAX_FIELDS`, then a count of the rest). A relationship is a straight line from
the referencing box's border to the referenced box's border, drawn under the boxes and
labelled at its middle (or the nearest point along it outside every box); a
reference to the entity itself is a loop on the box's right side. Only geometry is computed
here: the HTML template draws it, escaping every name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backendgen.report.model import Entity, Relation

BOX_WIDTH = 210
HEADER = 26
LINE = 16
MAX_FIELDS = 10
GAP_X = 90
GAP_Y = 70
MARGIN = 20


@dataclass(frozen=True)
class Box:
    """An entity's box: its top-left corner, size and the lines it lists."""

    name: str
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]

    @property
    def centre(self) -> tuple[float, float]:
        """The box's centre."""
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass(frozen=True)
class Edge:
    """A relationship's line, from ``(x1, y1)`` to ``(x2, y2)``, or a loop when ``loop``."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    label_x: float
    label_y: float
    loop: bool = False


@dataclass(frozen=True)
class Diagram:
    """The laid-out diagram and its overall size."""

    width: float
    height: float
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]


def _lines(entity: Entity) -> tuple[str, ...]:
    shown = [f"{name}: {kind}" for name, kind in entity.fields[:MAX_FIELDS]]
    if len(entity.fields) > MAX_FIELDS:
        shown.append(f"… {len(entity.fields) - MAX_FIELDS} more")
    return tuple(shown)


def _border(box: Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre towards a point leaves the box."""
    cx, cy = box.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (box.width / 2) / abs(dx) if dx else math.inf,
        (box.height / 2) / abs(dy) if dy else math.inf,
    )
    return cx + dx * scale, cy + dy * scale


def _inside(boxes: tuple[Box, ...], x: float, y: float) -> bool:
    return any(
        b.x - 4 <= x <= b.x + b.width + 4 and b.y - 8 <= y <= b.y + b.height + 8 for b in boxes
    )


def _label_at(
    boxes: tuple[Box, ...], x1: float, y1: float, x2: float, y2: float
) -> tuple[float, float]:
    """A point on the line for its label: the middle, else the first one outside every box."""
    for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9):
        x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
        if not _inside(boxes, x, y):
            return x, y - 4
    return (x1 + x2) / 2, (y1 + y2) / 2 - 4


def _edge(relation: Relation, source: Box, target: Box, boxes: tuple[Box, ...]) -> Edge:
    label = f"{relation.name} ({'1:1' if relation.kind == 'one_to_one' else 'n:1'})"
    if source is target:
        x = source.x + source.width
        y = source.y + HEADER / 2
        return Edge(x, y, x, y + HEADER, label, x + 34, y + HEADER / 2 + 4, loop=True)
    x1, y1 = _border(source, target.centre)
    x2, y2 = _border(target, source.centre)
    return Edge(x1, y1, x2, y2, label, *_label_at(boxes, x1, y1, x2, y2))


def layout(entities: list[Entity], relations: list[Relation]) -> Diagram:
    """Lay out the ER diagram.

    Args:
        entities: The domain's entities, in order.
        relations: Their references; those to an unknown entity are left out.

    Returns:
        The diagram's boxes and edges, the same for the same input.
    """
    columns = max(1, math.ceil(math.sqrt(len(entities))))
    heights = [HEADER + LINE * max(1, len(_lines(e))) + 8 for e in entities]
    row_heights = [max(heights[i : i + columns]) for i in range(0, len(entities), columns)] or [0]
    boxes: list[Box] = []
    for index, entity in enumerate(entities):
        row, column = divmod(index, columns)
        y = MARGIN + sum(row_heights[:row]) + GAP_Y * row
        x = MARGIN + column * (BOX_WIDTH + GAP_X)
        boxes.append(Box(entity.name, x, y, BOX_WIDTH, heights[index], _lines(entity)))
    by_name = {box.name: box for box in boxes}
    edges = tuple(
        _edge(relation, by_name[relation.source], by_name[relation.target], tuple(boxes))
        for relation in relations
        if relation.source in by_name and relation.target in by_name
    )
    width = MARGIN * 2 + columns * BOX_WIDTH + (columns - 1) * GAP_X + 60
    height = MARGIN * 2 + sum(row_heights) + GAP_Y * (len(row_heights) - 1)
    return Diagram(width, height, tuple(boxes), edges)
