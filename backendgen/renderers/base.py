"""The renderer protocol: what the engine and the inputs need to know of a framework's output."""

from __future__ import annotations

from typing import Literal, Protocol

Capability = Literal[
    "crud",
    "pagination",
    "filtering",
    "sorting",
    "jwt",
    "permission_matrix",
    "field_encryption",
    "audit_log",
    "hash_chained_audit",
    "sessions",
    "subject_rights",
    "sox_controls",
    "minimum_necessary",
    "break_glass",
    "card_tokenization",
    "business_rules",
    "metrics",
    "alert_rules",
    "tracing",
    "openapi_export",
    "migrations",
    "docker",
    "kubernetes",
    "ci",
]
"""A feature of the generated backend (docs/renderers.md lists what each output lacks)."""

SlotRendering = Literal["in-process", "copier"]
"""How an agent's slot is rendered: the fast in-process renderer, or a Copier render."""


class Renderer(Protocol):
    """One framework's renderer.

    Every renderer's scaffold is Copier's own render of its template folder; each agent's slot
    is then re-rendered as :attr:`slot_rendering` says (the in-process renderer re-renders only
    the files that read the slot, and is proven byte-identical to Copier by the staged-render
    tests).
    """

    @property
    def name(self) -> str:
        """The ``framework`` answer that selects this renderer (``fastapi``)."""

    @property
    def label(self) -> str:
        """The choice's label in ``copier.yml`` (``FastAPI``)."""

    @property
    def template_dir(self) -> str:
        """The template folder, relative to the directory holding ``copier.yml``."""

    @property
    def reserved_member_names(self) -> frozenset[str]:
        """Field and relationship names the generated code takes (model attributes, ...)."""

    @property
    def filters_extension(self) -> str:
        """The Jinja extension holding the renderer's filters (an ``_jinja_extensions`` item)."""

    @property
    def filters(self) -> frozenset[str]:
        """The names of the filters :attr:`filters_extension` registers."""

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What the generated backend offers."""

    @property
    def slot_rendering(self) -> SlotRendering:
        """How each agent's slot is rendered after the scaffold."""
