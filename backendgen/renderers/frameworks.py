"""The bundled renderers: FastAPI (SQLAlchemy, Alembic) and Django (django-ninja)."""

from __future__ import annotations

from dataclasses import dataclass

from backendgen.renderers.base import Capability, SlotRendering


@dataclass(frozen=True)
class TemplateRenderer:
    """A renderer whose output is one folder of the bundled Copier template."""

    name: str
    """The ``framework`` answer that selects it."""
    label: str
    """The choice's label in ``copier.yml``."""
    template_dir: str
    """The template folder, relative to the directory holding ``copier.yml``."""
    reserved_member_names: frozenset[str]
    """Field and relationship names the generated code takes."""
    filters_extension: str
    """The Jinja extension holding the renderer's filters."""
    filters: frozenset[str]
    """The names of the filters that extension registers."""
    capabilities: frozenset[Capability]
    """What the generated backend offers."""
    slot_rendering: SlotRendering = "in-process"
    """How each agent's slot is rendered after the scaffold."""


_SHARED: frozenset[Capability] = frozenset(
    {
        "crud",
        "pagination",
        "filtering",
        "sorting",
        "jwt",
        "permission_matrix",
        "audit_log",
        "metrics",
        "alert_rules",
        "migrations",
        "docker",
        "openapi_export",
    }
)

_FASTAPI_ONLY: frozenset[Capability] = frozenset(
    {
        "field_encryption",
        "kubernetes",
        "ci",
        "business_rules",
        "break_glass",
        "card_tokenization",
        "hash_chained_audit",
        "sessions",
        "subject_rights",
        "sox_controls",
        "minimum_necessary",
        "tracing",
    }
)
"""What the FastAPI output has and the Django output does not (yet)."""

FASTAPI = TemplateRenderer(
    name="fastapi",
    label="FastAPI",
    template_dir="templates/backend",
    # The kernel's rename policy already holds what SQLAlchemy and pydantic models take.
    reserved_member_names=frozenset({"metadata", "registry", "query"}),
    filters_extension="template_extensions/escaping.py:EscapingExtension",
    filters=frozenset({"tojson_safe"}),
    capabilities=_SHARED | _FASTAPI_ONLY,
)

DJANGO_MODEL_ATTRIBUTES = frozenset(
    {
        "objects",
        "pk",
        "save",
        "save_base",
        "asave",
        "delete",
        "adelete",
        "clean",
        "clean_fields",
        "full_clean",
        "validate_unique",
        "validate_constraints",
        "refresh_from_db",
        "arefresh_from_db",
        "from_db",
        "serializable_value",
        "prepare_database_save",
        "get_deferred_fields",
        "get_constraints",
        "date_error_message",
        "unique_error_message",
        "check",
        "DoesNotExist",
        "MultipleObjectsReturned",
        "Meta",
    }
)
"""Attributes every Django model has: a field spelled like one would shadow it."""

DJANGO = TemplateRenderer(
    name="django",
    label="Django",
    template_dir="templates/django",
    reserved_member_names=DJANGO_MODEL_ATTRIBUTES,
    filters_extension="template_extensions/django_filters.py:DjangoFilters",
    filters=frozenset(
        {
            "django_field",
            "django_relation",
            "ninja_type",
            "ninja_constraints",
            "django_imports",
            "money_bounds",
        }
    ),
    capabilities=_SHARED,
)
