"""The bundled template's agent commits render in process, not through a Copier render each.

The in-process renderer (``generator.slot_render``) only runs when staging can tell which files
read each slot; anything in ``copier.yml`` that looks like a computed slot read turns it off and
every agent commit falls back to a whole Copier render (several times slower). This keeps the
bundled template on the fast path.
"""

from __future__ import annotations

from backendgen.agents.registry import AGENT_SLOTS
from backendgen.generator.slot_render import SlotRenderer
from backendgen.generator.staging import stage_template
from backendgen.generator.template_source import bundled_template_root


def test_the_bundled_template_is_staged_and_rendered_in_process() -> None:
    root = bundled_template_root()
    staged = stage_template(root, AGENT_SLOTS)
    assert staged is not None
    assert set(staged.sources) == set(AGENT_SLOTS)
    assert all(staged.sources[slot] for slot in AGENT_SLOTS)
    assert SlotRenderer.for_template(root, staged) is not None
