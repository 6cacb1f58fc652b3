"""What each JDL type, option and config value becomes here (the tables of docs/jdl.md)."""

from __future__ import annotations

import re

from backendgen.domain.entities import FieldType
from backendgen.questions.suffixes import JDL_SUFFIXES

__all__ = ["JDL_SUFFIXES"]

MAX_NAME_LENGTH = 48
"""Longest entity, enum, field or value name the spec accepts (below PostgreSQL's 63 bytes)."""

DEFAULT_STRING_LENGTH = 255
"""``max_length`` of a ``String`` without ``maxlength``."""

MAX_STRING_LENGTH = 10000
"""Longest ``max_length`` of a ``string`` field; longer ``String`` fields become ``text``."""

MAX_DESCRIPTION = 300
"""Longest description the spec accepts."""

_TYPES: dict[str, tuple[FieldType, str]] = {
    "String": ("string", ""),
    "TextBlob": ("text", ""),
    "Integer": ("integer", ""),
    "Long": ("integer", ""),
    "BigDecimal": ("decimal", ""),
    "Float": ("decimal", ""),
    "Double": ("decimal", ""),
    "Boolean": ("boolean", ""),
    "LocalDate": ("date", ""),
    "ZonedDateTime": ("datetime", ""),
    "Instant": ("datetime", ""),
    "LocalTime": ("string", "Time of day, HH:MM[:SS]."),
    "Duration": ("integer", "Duration in seconds."),
    "UUID": ("uuid", ""),
    "Blob": ("text", "Base64-encoded binary content."),
    "AnyBlob": ("text", "Base64-encoded binary content."),
    "ImageBlob": ("text", "Base64-encoded image."),
}
"""JDL field type to our field type and a note for the description."""

_BLOB_TYPES = frozenset({"Blob", "AnyBlob", "ImageBlob", "TextBlob"})

_NUMBER_RULES = frozenset({"required", "unique", "min", "max"})
_PLAIN_RULES = frozenset({"required", "unique"})
VALIDATIONS: dict[str, frozenset[str]] = {
    "String": frozenset({"required", "unique", "minlength", "maxlength", "pattern"}),
    "Integer": _NUMBER_RULES,
    "Long": _NUMBER_RULES,
    "BigDecimal": _NUMBER_RULES,
    "Float": _NUMBER_RULES,
    "Double": _NUMBER_RULES,
    "Blob": frozenset({"required", "unique", "minbytes", "maxbytes"}),
    "AnyBlob": frozenset({"required", "unique", "minbytes", "maxbytes"}),
    "ImageBlob": frozenset({"required", "unique", "minbytes", "maxbytes"}),
}
"""The validations JHipster accepts per field type (every other type, and enums: only
``required`` and ``unique``); the same table as JHipster's ``CommonDBValidations``."""

RULE_FIX: dict[str, str] = {
    "min": "use minlength on String fields",
    "max": "use maxlength on String fields",
    "minlength": "use min on number fields",
    "maxlength": "use max on number fields",
}
"""The hint for a validation used on a type it does not apply to."""


def allowed_validations(jdl_type: str) -> frozenset[str]:
    """The validations JHipster accepts on a field of ``jdl_type`` (an enum: the plain two)."""
    return VALIDATIONS.get(jdl_type, _PLAIN_RULES)


_LOCAL_TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"

_OPTION_EFFECTS: dict[str, str] = {
    "dto": "mapped: every entity has Pydantic schemas apart from its ORM model",
    "service": "mapped: every entity has a service layer",
    "paginate": "mapped: every list endpoint is paginated",
    "search": "ignored: no search engine is generated",
    "filter": "ignored: no criteria filtering",
    "readOnly": "ignored: entities keep full CRUD",
    "skipClient": "has no effect: backendgen generates no client",
    "skipServer": "ignored: server code is generated for every entity",
    "noFluentMethod": "ignored: Java-only option",
    "angularSuffix": "ignored: client-only option",
    "clientRootFolder": "ignored: client-only option",
    "microservice": "mapped: with --application, an application without an entities "
    "clause owns the entities of its microservice",
    "embedded": "ignored: embedded entities become ordinary entities",
}
"""What each JDL option becomes (the table of docs/jdl.md)."""

_USE_VALUES: dict[str, str] = {
    "mapstruct": "dto",
    "serviceClass": "service",
    "serviceImpl": "service",
    "pagination": "paginate",
    "infinite-scroll": "paginate",
    "infiniteScroll": "paginate",
    "elasticsearch": "search",
    "couchbase": "search",
}
"""``use`` values to the option they stand for."""

_SQL_DATABASES = frozenset({"postgresql", "mysql", "mariadb", "oracle", "mssql"})
_H2_DATABASES = frozenset({"h2disk", "h2memory"})
_AUTH_TYPES = frozenset({"jwt", "oauth2", "session"})
_MAPPED_CONFIG = frozenset(
    {
        "baseName",
        "prodDatabaseType",
        "databaseType",
        "authenticationType",
        "applicationType",
    }
)
APPLICATION_TYPES: dict[str, str] = {
    "monolith": "a monolith: one backend with every entity it lists",
    "microservice": "a microservice: one backend with the entities it lists",
    "gateway": "a gateway: the entities it lists are served here, not proxied",
}
"""What each ``applicationType`` becomes."""
_PROJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
_GAP = re.compile(r"(?:\s|,|//[^\n]*|/\*(?!\*(?!/))[\s\S]*?\*/)*")
