"""Import JHipster Domain Language (JDL) files as domain specs.

The grammar (``jdl.lark``, LALR(1)) covers entities (with ``(table)`` names, annotations and
``/** */`` docs), enums (``VALUE`` and ``VALUE (display)``), relationships, constants, option
lines, ``use ... for`` lines, and ``application`` and ``deployment`` blocks. :func:`load_jdl`
maps the result onto :class:`~backendgen.questions.domain.DomainSpec` and returns, besides it,
the questionnaire answers the first ``application { config { ... } }`` implies and one warning
line per thing that was mapped loosely or ignored.

Types: ``String`` -> ``string`` (``max_length`` = ``maxlength`` or 255; above 10000 ->
``text``); ``TextBlob`` -> ``text``; ``Integer``/``Long`` -> ``integer``; ``BigDecimal``/
``Float``/``Double`` -> ``decimal``; ``Boolean`` -> ``boolean``; ``LocalDate`` -> ``date``;
``ZonedDateTime``/``Instant`` -> ``datetime``; ``LocalTime`` -> ``string`` (``HH:MM[:SS]``);
``Duration`` -> ``integer`` (seconds); ``UUID`` -> ``uuid``; ``Blob``/``AnyBlob``/``ImageBlob``
-> ``text`` (base64); an enum name -> ``enum``. Validations: ``required``, ``unique``;
``min``/``max`` -> ``minimum``/``maximum`` (numbers); ``minlength``/``maxlength`` ->
``min_length``/``max_length`` (strings); ``pattern(/re/)`` -> ``pattern`` if both Python ``re``
and pydantic's regex engine compile it, else dropped with a warning; ``minbytes``/``maxbytes``
and validations that do not fit the type are ignored with a warning. Bounds may name constants.

Relationships (the foreign key lives on one side): ``ManyToOne A{b} to B`` -> ``A.b``
(many_to_one, default name ``snake(B)``); ``OneToMany A{x} to B{a}`` -> ``B.a`` (many_to_one
to A, default ``snake(A)``); ``OneToOne A{b} to B`` -> ``A.b`` (one_to_one). ``required`` is
taken from the side that holds the key; display fields (``b(name)``) are ignored.
``ManyToMany A{b} to B{a}`` -> a link entity ``AB`` (``ABLink`` if that name is taken): one
record per linked pair, with the required references ``a`` -> A and ``b`` -> B and an optional
``sort_order``; its CRUD endpoints link and unlink (a pair may be linked twice: no composite
unique key). Skipped with a warning: relationships to the built-in ``User`` (``with
builtInEntity``, or ``User`` not declared as an entity): the generated backend has its own
users table. Other ``with`` options and relationship annotations are ignored.

Option lines, entity annotations and ``use`` values (one warning each):

=====================  ===================================================================
``dto``                mapped: every entity has Pydantic schemas apart from its ORM model
``service``            mapped: every entity has a service layer
``paginate``           mapped: every list endpoint is paginated
``search``             ignored: no search engine is generated
``filter``             ignored: no criteria filtering
``readOnly``           ignored: entities keep full CRUD
``skipClient``         no effect: backendgen generates no client
``skipServer``         ignored: server code is generated for every entity
``noFluentMethod``     ignored: Java-only
``angularSuffix``      ignored: client-only
``clientRootFolder``   ignored: client-only
``microservice``       ignored: all entities go into one backend
``embedded``           ignored: embedded entities become ordinary entities
other / unknown        ignored (``use`` values map to the option they stand for)
=====================  ===================================================================

Application config (first ``application`` only; further ones are ignored with a warning):
``baseName`` -> ``project_name`` (sanitised); ``prodDatabaseType`` postgresql, mysql,
mariadb, oracle or mssql -> ``database: postgresql``, h2Disk/h2Memory -> ``sqlite``, other
(NoSQL) engines leave ``database`` to the default with a warning; ``authenticationType`` jwt,
oauth2 or session -> ``auth: jwt``. Every other config key (``devDatabaseType`` included), the
application's ``entities`` list (every entity in the file is imported) and ``deployment``
blocks are ignored with a warning. Custom table names are ignored with a warning.

Names: entity and enum names must be PascalCase (else converted with a warning); names that
clash with the generated code (:data:`RESERVED_TYPE_NAMES`, e.g. ``User``) get the prefix
``App`` (``AppUser``). Field names become snake_case; a JDL field ``id`` is dropped (every
table has its own id); names in :data:`RESERVED_FIELD_NAMES` (Python keywords, pydantic and
ORM attributes, PostgreSQL reserved words, SQL type words, our own columns) get the suffix
``_value`` (``order`` -> ``order_value``), relationship names only for the Python subset
(their column is ``<name>_id``). Enum values become UPPER_SNAKE_CASE. Every rename is a
warning. Errors (duplicates, collisions after conversion, unknown types or entities, entities
without fields, names longer than 48 characters) are collected and raised together as one
:class:`~backendgen.errors.UserInputError` line, each as ``file:line: message``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput
from pydantic import StringConstraints, TypeAdapter, ValidationError
from pydantic_core import SchemaError

from backendgen.agents.core_backend import (
    EntitySpec,
    EnumSpec,
    FieldSpec,
    FieldType,
    RelationshipSpec,
)
from backendgen.errors import UserInputError
from backendgen.naming import (
    PASCAL_CASE,
    RESERVED_FIELD_NAMES,
    RESERVED_PYTHON_NAMES,
    RESERVED_TYPE_NAMES,
    SNAKE_CASE,
    UPPER_SNAKE_CASE,
    pascal,
    plural,
    snake,
)
from backendgen.questions.domain import DomainSpec
from backendgen.questions.domain_input import JDL_SUFFIXES

__all__ = ["JDL_SUFFIXES", "load_jdl"]

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
    "microservice": "ignored: all entities go into one backend",
    "embedded": "ignored: embedded entities become ordinary entities",
}
"""What each JDL option becomes (the module docstring's table)."""

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
_MAPPED_CONFIG = frozenset({"baseName", "prodDatabaseType", "databaseType", "authenticationType"})
_PROJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
_GAP = re.compile(r"(?:\s|,|//[^\n]*|/\*(?!\*(?!/))[\s\S]*?\*/)*")


# ---------------------------------------------------------------------------------------------
# The parsed document


@dataclass(frozen=True)
class JdlAnnotation:
    """An ``@name(value)`` annotation."""

    name: str
    value: str | None
    line: int


@dataclass(frozen=True)
class JdlValidation:
    """A field validation: ``required``, ``min(3)``, ``pattern(/x/)``..."""

    kind: str
    value: str | None
    line: int


@dataclass(frozen=True)
class JdlField:
    """A field of an entity as written."""

    name: str
    type: str
    validations: tuple[JdlValidation, ...]
    annotations: tuple[JdlAnnotation, ...]
    doc: str
    line: int


@dataclass(frozen=True)
class JdlEntity:
    """An entity as written."""

    name: str
    table: str | None
    fields: tuple[JdlField, ...]
    annotations: tuple[JdlAnnotation, ...]
    doc: str
    line: int


@dataclass(frozen=True)
class JdlEnumValue:
    """An enum value and its optional display text."""

    name: str
    display: str | None
    line: int


@dataclass(frozen=True)
class JdlEnum:
    """An enum as written."""

    name: str
    values: tuple[JdlEnumValue, ...]
    doc: str
    line: int


@dataclass(frozen=True)
class JdlSide:
    """One side of a relationship: ``Entity{field(display) required}``."""

    entity: str
    field: str | None = None
    display: str | None = None
    required: bool = False


@dataclass(frozen=True)
class JdlRelationship:
    """One ``A{x} to B{y}`` line of a relationship block."""

    kind: str
    source: JdlSide
    target: JdlSide
    option: str | None
    annotations: tuple[JdlAnnotation, ...]
    doc: str
    line: int


@dataclass(frozen=True)
class JdlOption:
    """An option line: ``paginate A, B with pagination except C`` (``*`` for all entities)."""

    name: str
    entities: tuple[str, ...]
    value: str | None
    excluded: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class JdlBlock:
    """An ``application`` or ``deployment`` block."""

    kind: str
    config: dict[str, str | list[str]]
    entities: tuple[str, ...]
    options: tuple[JdlOption, ...]
    line: int


@dataclass
class JdlDocument:
    """Everything a JDL file declares, in file order per kind."""

    constants: list[tuple[str, str, int]] = field(default_factory=list)
    entities: list[JdlEntity] = field(default_factory=list)
    enums: list[JdlEnum] = field(default_factory=list)
    relationships: list[JdlRelationship] = field(default_factory=list)
    options: list[JdlOption] = field(default_factory=list)
    applications: list[JdlBlock] = field(default_factory=list)
    deployments: list[JdlBlock] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Parsing

_DOCS: ContextVar[list[Token] | None] = ContextVar("jdl_docs", default=None)


def _collect_doc(token: Token) -> Token:
    """Lexer callback: remember a ``/** */`` comment for the current parse."""
    docs = _DOCS.get()
    if docs is not None:
        docs.append(token)
    return token


@cache
def _parser() -> Lark:
    """Build the LALR parser from ``jdl.lark`` once."""
    grammar = resources.files(__package__ or "backendgen.questions").joinpath("jdl.lark")
    return Lark(
        grammar.read_text("utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        lexer_callbacks={"DOC": _collect_doc},
    )


def _syntax_error(error: UnexpectedInput, origin: str) -> UserInputError:
    """Turn a lark error into one ``file:line: message`` line."""
    if isinstance(error, UnexpectedCharacters):
        what = f"character {error.char!r}"
    elif isinstance(error, UnexpectedEOF):
        what = "end of file"
    else:
        token = getattr(error, "token", None)
        what = "end of file" if token is None or token.type == "$END" else f"{str(token)!r}"
    line = max(error.line, 1)
    return UserInputError(
        f"{origin}:{line}: syntax error at column {max(error.column, 1)}: unexpected {what}"
    )


class _Docs:
    """The ``/** */`` comments of one file and the declarations they belong to."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self._text = text
        self._leading: list[Token] = []
        self._trailing: list[Token] = []
        for token in tokens:
            line_start = text.rfind("\n", 0, token.start_pos or 0) + 1
            before = text[line_start : token.start_pos].strip()
            (self._trailing if before else self._leading).append(token)

    def leading(self, start: int) -> str:
        """Return the doc comment right before the declaration starting at ``start``."""
        before = [t for t in self._leading if (t.end_pos or 0) <= start]
        if before and _GAP.fullmatch(self._text, before[-1].end_pos or 0, start):
            return _clean_doc(str(before[-1]))
        return ""

    def trailing(self, line: int, end: int) -> str:
        """Return a doc comment on ``line`` after position ``end`` (``name String /** x */``)."""
        for token in self._trailing:
            if token.line == line and (token.start_pos or 0) >= end:
                return _clean_doc(str(token))
        return ""


def _clean_doc(raw: str) -> str:
    """Strip comment markers and collapse whitespace; cut to the spec's description length."""
    body = raw.removeprefix("/**").removesuffix("*/")
    lines = [re.sub(r"^\s*\*+ ?", "", line) for line in body.splitlines()]
    text = " ".join(" ".join(lines).split())
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 3] + "..."


def _tokens(tree: Tree[Token], *types: str) -> list[Token]:
    """Tokens directly under ``tree``, optionally of the given types."""
    return [c for c in tree.children if isinstance(c, Token) and (not types or c.type in types)]


def _trees(tree: Tree[Token], name: str) -> list[Tree[Token]]:
    """Subtrees directly under ``tree`` called ``name``."""
    return [c for c in tree.children if isinstance(c, Tree) and c.data == name]


def _first(tree: Tree[Token], name: str) -> Tree[Token] | None:
    """The first subtree directly under ``tree`` called ``name``."""
    found = _trees(tree, name)
    return found[0] if found else None


def _unquote(token: Token) -> str:
    """The text of a WORD or STRING token without quotes."""
    text = str(token)
    if token.type == "STRING":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _start(tree: Tree[Token]) -> int:
    return int(getattr(tree.meta, "start_pos", 0))


def _line(tree: Tree[Token]) -> int:
    return int(getattr(tree.meta, "line", 1))


class _TreeReader:
    """Turns lark's parse tree into a :class:`JdlDocument`."""

    def __init__(self, docs: _Docs) -> None:
        self._docs = docs
        self.document = JdlDocument()

    def read(self, tree: Tree[Token]) -> JdlDocument:
        """Read every top-level statement."""
        handlers: dict[str, Callable[[Tree[Token]], None]] = {
            "constant_decl": self._constant,
            "entity_decl": self._entity,
            "enum_decl": self._enum,
            "relationship_decl": self._relationships,
            "option_decl": lambda t: self.document.options.append(self._option(t)),
            "use_decl": lambda t: self.document.options.extend(self._use(t)),
            "application_decl": lambda t: self.document.applications.append(self._block(t)),
            "deployment_decl": lambda t: self.document.deployments.append(self._block(t)),
        }
        for statement in tree.children:
            if isinstance(statement, Tree):
                handlers[str(statement.data)](statement)
        return self.document

    def _constant(self, tree: Tree[Token]) -> None:
        name, value = _tokens(tree)
        self.document.constants.append((str(name), str(value), _line(tree)))

    def _annotations(self, tree: Tree[Token]) -> tuple[JdlAnnotation, ...]:
        found = []
        for node in _trees(tree, "annotation"):
            value = _first(node, "annotation_value")
            text = _unquote(_tokens(value)[0]) if value is not None else None
            found.append(JdlAnnotation(str(_tokens(node)[0]), text, _line(node)))
        return tuple(found)

    def _entity(self, tree: Tree[Token]) -> None:
        table = _first(tree, "table_name")
        body = _first(tree, "entity_body")
        fields = tuple(self._field(f) for f in _trees(body, "field")) if body else ()
        self.document.entities.append(
            JdlEntity(
                name=str(_tokens(tree, "NAME")[0]),
                table=str(_tokens(table)[0]) if table is not None else None,
                fields=fields,
                annotations=self._annotations(tree),
                doc=self._docs.leading(_start(tree)),
                line=_line(tree),
            )
        )

    def _field(self, tree: Tree[Token]) -> JdlField:
        name, type_name = _tokens(tree, "NAME")
        validations = tuple(self._validation(v) for v in _trees(tree, "validation"))
        end_line = int(getattr(tree.meta, "end_line", _line(tree)))
        end = int(getattr(tree.meta, "end_pos", 0))
        doc = self._docs.leading(_start(tree)) or self._docs.trailing(end_line, end)
        return JdlField(
            str(name), str(type_name), validations, self._annotations(tree), doc, _line(tree)
        )

    @staticmethod
    def _validation(tree: Tree[Token]) -> JdlValidation:
        head = _tokens(tree)[0]
        line = head.line or 1
        if head.type in ("REQUIRED", "UNIQUE"):
            return JdlValidation(str(head).lower(), None, line)
        kind = str(head).rstrip("( \t\r\n")
        if kind.startswith("pattern"):
            value = _tokens(tree)[1]
            regex = str(value)[1:-1] if value.type == "REGEX" else _unquote(value)
            return JdlValidation("pattern", regex, line)
        bound = _first(tree, "bound")
        return JdlValidation(kind, str(_tokens(bound)[0]) if bound else None, line)

    def _enum(self, tree: Tree[Token]) -> None:
        values = []
        for item in _trees(tree, "enum_item"):
            display = _first(item, "enum_display")
            text = _unquote(_tokens(display)[0]) if display is not None else None
            values.append(JdlEnumValue(str(_tokens(item)[0]), text, _line(item)))
        self.document.enums.append(
            JdlEnum(
                name=str(_tokens(tree)[0]),
                values=tuple(values),
                doc=self._docs.leading(_start(tree)),
                line=_line(tree),
            )
        )

    def _relationships(self, tree: Tree[Token]) -> None:
        kind = str(_tokens(tree)[0])
        for entry in _trees(tree, "rel_entry"):
            source, target = (self._side(s) for s in _trees(entry, "rel_side"))
            option = _first(entry, "rel_with")
            self.document.relationships.append(
                JdlRelationship(
                    kind=kind,
                    source=source,
                    target=target,
                    option=str(_tokens(option)[0]) if option is not None else None,
                    annotations=self._annotations(entry),
                    doc=self._docs.leading(_start(entry)),
                    line=_line(entry),
                )
            )

    @staticmethod
    def _side(tree: Tree[Token]) -> JdlSide:
        entity = str(_tokens(tree)[0])
        detail = _first(tree, "rel_field")
        if detail is None:
            return JdlSide(entity)
        names = _tokens(detail, "NAME")
        return JdlSide(
            entity=entity,
            field=str(names[0]),
            display=str(names[1]) if len(names) > 1 else None,
            required=bool(_tokens(detail, "REQUIRED")),
        )

    @staticmethod
    def _selection(tree: Tree[Token] | None) -> tuple[str, ...]:
        if tree is None:
            return ()
        return tuple("*" if t.type in ("STAR", "ALL") else str(t) for t in _tokens(tree))

    def _option(self, tree: Tree[Token]) -> JdlOption:
        keyword_tree = _first(tree, "option_keyword")
        name = str(_tokens(keyword_tree)[0]) if keyword_tree is not None else ""
        words = _tokens(tree, "WORD")
        return JdlOption(
            name=name,
            entities=self._selection(_first(tree, "selection")),
            value=str(words[0]) if words else None,
            excluded=self._selection(_first(tree, "exclusion")),
            line=_line(tree),
        )

    def _use(self, tree: Tree[Token]) -> list[JdlOption]:
        entities = self._selection(_first(tree, "selection"))
        excluded = self._selection(_first(tree, "exclusion"))
        return [
            JdlOption(
                name=_USE_VALUES.get(str(word), f"use {word}"),
                entities=entities,
                value=str(word),
                excluded=excluded,
                line=word.line or _line(tree),
            )
            for word in _tokens(tree, "WORD")
        ]

    def _block(self, tree: Tree[Token]) -> JdlBlock:
        entries = _trees(tree, "config_entry")
        for config in _trees(tree, "config_block"):
            entries += _trees(config, "config_entry")
        listed = _first(tree, "app_entities")
        options = [self._option(o) for o in _trees(tree, "option_decl")]
        for use in _trees(tree, "use_decl"):
            options += self._use(use)
        return JdlBlock(
            kind=str(tree.data).removesuffix("_decl"),
            config=dict(_config_entry(e) for e in entries),
            entities=self._selection(_first(listed, "selection")) if listed else (),
            options=tuple(options),
            line=_line(tree),
        )


def _config_entry(tree: Tree[Token]) -> tuple[str, str | list[str]]:
    """Read ``key value`` where the value is a word, a string or a ``[list]``."""
    key = str(tree.children[0])
    value = tree.children[1]
    if isinstance(value, Tree):
        return key, [_unquote(t) for t in _tokens(value)]
    return key, _unquote(value) if isinstance(value, Token) else ""


def parse_jdl(text: str, origin: str = "<jdl>") -> JdlDocument:
    """Parse JDL source into a :class:`JdlDocument` (no mapping, no semantic checks).

    Args:
        text: The JDL source.
        origin: The file name used in error messages.

    Returns:
        The declarations of the file.

    Raises:
        UserInputError: If the text is not valid JDL (``file:line: ...``).
    """
    docs: list[Token] = []
    reset = _DOCS.set(docs)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, origin) from None
    finally:
        _DOCS.reset(reset)
    return _TreeReader(_Docs(text, docs)).read(tree)


# ---------------------------------------------------------------------------------------------
# Mapping onto the domain spec


def _pattern_problem(pattern: str) -> str | None:
    """Return why ``pattern`` cannot be used, or None if Python and pydantic both compile it."""
    if len(pattern) > 200:
        return "longer than 200 characters"
    try:
        re.compile(pattern)
    except re.error as error:
        return f"not a Python regular expression ({error})"
    try:
        TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
    except SchemaError:
        return "not supported by pydantic's regex engine (look-around or back-reference)"
    return None


def _sanitise_project_name(name: str) -> str | None:
    """Turn ``baseName`` into a valid project name, or None if nothing usable is left."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).lstrip("0123456789_-")[:63].rstrip("-_")
    return cleaned if _PROJECT_NAME.match(cleaned) else None


def _with_note(doc: str, note: str) -> str:
    """Join a description and a note, within the description limit."""
    text = f"{doc} {note}".strip() if note and note not in doc else doc
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 3] + "..."


class _Importer:
    """Maps a :class:`JdlDocument` onto a :class:`DomainSpec`, collecting errors and warnings."""

    def __init__(self, document: JdlDocument, origin: str) -> None:
        self.doc = document
        self.origin = origin
        self._errors: list[tuple[int, str]] = []
        self._warnings: list[tuple[int, str]] = []
        self.constants: dict[str, str] = {}
        self.enum_names: dict[str, str] = {}
        self.entity_names: dict[str, str] = {}
        self.fields: dict[str, list[FieldSpec]] = {}
        self.relationships: dict[str, list[RelationshipSpec]] = {}
        self.members: dict[str, dict[str, tuple[str, int]]] = {}
        self.failed: set[str] = set()
        self.links: list[tuple[int, EntitySpec]] = []

    def error(self, line: int, message: str) -> None:
        """Record a problem that makes the file unusable."""
        self._errors.append((line, f"{self.origin}:{line}: {message}"))

    def warn(self, line: int, message: str) -> None:
        """Record something mapped loosely or ignored."""
        self._warnings.append((line, f"{self.origin}:{line}: {message}"))

    @property
    def warnings(self) -> list[str]:
        """The warnings so far, in file order."""
        return [text for _, text in sorted(self._warnings, key=lambda item: item[0])]

    # -- names ----------------------------------------------------------------------------

    def _type_name(self, kind: str, name: str, line: int) -> str:
        """PascalCase ``name`` and move it off reserved names, warning on every change."""
        final = name if PASCAL_CASE.match(name) else pascal(name)
        if final != name:
            self.warn(line, f"{kind} '{name}' renamed to '{final}' (PascalCase)")
        if final in RESERVED_TYPE_NAMES:
            self.warn(line, f"{kind} '{final}' renamed to 'App{final}' (name used by backendgen)")
            final = f"App{final}"
        if not PASCAL_CASE.match(final):
            self.error(line, f"{kind} '{name}' has no usable PascalCase name")
        self._check_length(kind, final, line)
        return final

    def _member_name(
        self, owner: str, name: str, line: int, reserved: frozenset[str]
    ) -> str | None:
        """snake_case a field or relationship name and move it off reserved words.

        Returns:
            The name, or None (with an error recorded) if it is unusable.
        """
        final = snake(name)
        if final in reserved:
            self.warn(line, f"{owner}.{name} renamed to '{final}_value' (reserved word)")
            final = f"{final}_value"
        if not SNAKE_CASE.match(final):
            self.error(line, f"{owner}.{name}: '{final}' is not a valid snake_case name")
            return None
        return final if self._check_length("name", final, line) else None

    def _check_length(self, kind: str, name: str, line: int) -> bool:
        """Report a name longer than the spec allows; return whether it fits."""
        if len(name) > MAX_NAME_LENGTH:
            self.error(line, f"{kind} '{name}' is longer than {MAX_NAME_LENGTH} characters")
            return False
        return True

    def _register(self, entity: str, name: str, label: str, line: int) -> bool:
        """Claim an attribute name of ``entity``; report a duplicate or collision."""
        members = self.members.setdefault(entity, {})
        if name in members:
            other, other_line = members[name]
            if other == label:
                self.error(line, f"duplicate {label} in entity '{entity}' (line {other_line})")
            else:
                self.error(
                    line,
                    f"{label} of entity '{entity}' collides with {other} (line {other_line})"
                    f" as '{name}'",
                )
            return False
        members[name] = (label, line)
        return True

    def _claim_type_names(self) -> None:
        """Name enums and entities; reject duplicates and collisions across both."""
        seen: dict[str, tuple[str, int]] = {}
        declared: list[tuple[str, str, int, dict[str, str]]] = [
            ("enum", e.name, e.line, self.enum_names) for e in self.doc.enums
        ]
        declared += [("entity", e.name, e.line, self.entity_names) for e in self.doc.entities]
        for kind, name, line, names in declared:
            if name in names:
                self.error(line, f"duplicate {kind} '{name}'")
                continue
            final = self._type_name(kind, name, line)
            keys = [snake(final)] + ([f"table {plural(snake(final))}"] if kind == "entity" else [])
            clash = next((seen[k] for k in keys if k in seen), None)
            if clash is not None:
                self.error(line, f"{kind} '{name}' collides with '{clash[0]}' (line {clash[1]})")
                continue
            seen.update(dict.fromkeys(keys, (name, line)))
            names[name] = final

    # -- enums ----------------------------------------------------------------------------

    def _enums(self) -> list[EnumSpec]:
        specs: list[EnumSpec] = []
        for enum in self.doc.enums:
            if enum.name not in self.enum_names or any(
                e.name == self.enum_names[enum.name] for e in specs
            ):
                continue
            values = self._enum_values(enum)
            if not values:
                self.error(enum.line, f"enum '{enum.name}' has no values")
                continue
            displays = [f"{v.name}={v.display}" for v in enum.values if v.display]
            description = enum.doc
            if displays:
                description = _with_note(description, "Display names: " + ", ".join(displays))
            specs.append(
                EnumSpec(name=self.enum_names[enum.name], description=description, values=values)
            )
        return specs

    def _enum_values(self, enum: JdlEnum) -> list[str]:
        values: dict[str, JdlEnumValue] = {}
        for value in enum.values:
            final = value.name
            if not UPPER_SNAKE_CASE.match(final):
                final = snake(value.name).upper()
            if final in values:
                other = values[final]
                what = "duplicate" if other.name == value.name else f"'{value.name}' collides:"
                self.error(value.line, f"enum '{enum.name}': {what} value '{final}'")
                continue
            if not UPPER_SNAKE_CASE.match(final):
                self.error(value.line, f"enum '{enum.name}': invalid value '{value.name}'")
                continue
            if final != value.name:
                self.warn(value.line, f"enum value {enum.name}.{value.name} renamed to '{final}'")
            self._check_length("enum value", final, value.line)
            values[final] = value
        return list(values)

    # -- fields ---------------------------------------------------------------------------

    def _entity_fields(self, entity: JdlEntity) -> None:
        final = self.entity_names[entity.name]
        specs = self.fields.setdefault(final, [])
        for jdl_field in entity.fields:
            errors = len(self._errors)
            spec = self._field(entity.name, jdl_field)
            if len(self._errors) > errors:
                self.failed.add(final)
            if spec is not None and self._register(
                final, spec.name, f"field '{jdl_field.name}'", jdl_field.line
            ):
                specs.append(spec)
        for annotation in (a for f in entity.fields for a in f.annotations):
            self.warn(annotation.line, f"field annotation '@{annotation.name}' ignored")
        if entity.table and entity.table != snake(entity.name):
            self.warn(entity.line, f"custom table name '{entity.table}' of {entity.name} ignored")

    def _field(self, entity: str, jdl: JdlField) -> FieldSpec | None:
        if snake(jdl.name) == "id":
            self.warn(jdl.line, f"{entity}.{jdl.name} dropped: every table has its own 'id'")
            return None
        name = self._member_name(entity, jdl.name, jdl.line, RESERVED_FIELD_NAMES)
        options = self._field_type(entity, jdl)
        if name is None or options is None:
            return None
        options.update(self._validations(entity, jdl, str(options["type"])))
        if options["type"] == "string" and options.get("max_length", 0) > MAX_STRING_LENGTH:
            self.warn(jdl.line, f"{entity}.{jdl.name}: maxlength above 10000, mapped to text")
            options["type"] = "text"
        if options["type"] == "text" and options.get("max_length", 0) > MAX_STRING_LENGTH:
            del options["max_length"]
        if options["type"] == "string":
            options.setdefault("max_length", DEFAULT_STRING_LENGTH)
        options["description"] = _with_note(jdl.doc, str(options.pop("note", "")))
        try:
            return FieldSpec(name=name, **options)
        except ValidationError as error:
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            self.error(jdl.line, f"{entity}.{jdl.name}: {message}")
            return None

    def _field_type(self, entity: str, jdl: JdlField) -> dict[str, Any] | None:
        if jdl.type in _TYPES:
            kind, note = _TYPES[jdl.type]
            options: dict[str, Any] = {"type": kind, "note": note}
            if jdl.type == "LocalTime":
                options.update(max_length=15, pattern=_LOCAL_TIME_PATTERN)
            return options
        if jdl.type in self.enum_names:
            return {"type": "enum", "enum": self.enum_names[jdl.type]}
        self.error(jdl.line, f"{entity}.{jdl.name} has unknown type '{jdl.type}'")
        return None

    def _validations(self, entity: str, jdl: JdlField, kind: str) -> dict[str, Any]:
        found: dict[str, Any] = {"required": False}
        where = f"{entity}.{jdl.name}"
        for rule in jdl.validations:
            if rule.kind in ("required", "unique"):
                found[rule.kind] = True
            elif rule.kind == "pattern":
                self._pattern(where, rule, kind, found)
            else:
                self._bound(where, rule, kind, jdl.type, found)
        return found

    def _pattern(self, where: str, rule: JdlValidation, kind: str, found: dict[str, Any]) -> None:
        if kind != "string" or rule.value is None:
            self.warn(rule.line, f"{where}: pattern on a {kind} field ignored")
            return
        pattern = rule.value.replace(r"\/", "/")
        problem = _pattern_problem(pattern)
        if problem is None:
            found["pattern"] = pattern
        else:
            self.warn(rule.line, f"{where}: pattern dropped, {problem}")

    def _bound(
        self, where: str, rule: JdlValidation, kind: str, jdl_type: str, found: dict[str, Any]
    ) -> None:
        value = self._number(where, rule)
        if value is None:
            return
        numeric = kind in ("integer", "decimal") and jdl_type != "Duration"
        textual = kind in ("string", "text") and jdl_type not in _BLOB_TYPES - {"TextBlob"}
        target = {
            "min": ("minimum", numeric),
            "max": ("maximum", numeric),
            "minlength": ("min_length", textual),
            "maxlength": ("max_length", textual),
        }.get(rule.kind)
        if target is None or not target[1]:
            self.warn(rule.line, f"{where}: {rule.kind} on a {jdl_type} field ignored")
            return
        if target[0] in ("min_length", "max_length"):
            if value != int(value) or value < 0:
                self.error(rule.line, f"{where}: {rule.kind} needs a whole number, got {value}")
                return
            found[target[0]] = int(value)
        else:
            found[target[0]] = value

    def _number(self, where: str, rule: JdlValidation) -> float | None:
        raw = rule.value or ""
        if raw in self.constants:
            raw = self.constants[raw]
        elif raw[:1].isalpha() or raw[:1] == "_":
            self.error(rule.line, f"{where}: {rule.kind} uses unknown constant '{raw}'")
            return None
        return float(raw)

    # -- relationships --------------------------------------------------------------------

    def _builtin_user(self, rel: JdlRelationship) -> bool:
        if rel.option == "builtInEntity":
            return True
        sides = (rel.source.entity, rel.target.entity)
        return "User" in sides and "User" not in self.entity_names

    def _relationship(self, rel: JdlRelationship) -> None:
        label = f"{rel.kind} {rel.source.entity} to {rel.target.entity}"
        for annotation in rel.annotations:
            self.warn(annotation.line, f"relationship annotation '@{annotation.name}' ignored")
        if rel.kind not in ("OneToOne", "OneToMany", "ManyToOne", "ManyToMany"):
            self.error(rel.line, f"unknown relationship type '{rel.kind}'")
            return
        if self._builtin_user(rel):
            self.warn(rel.line, f"{label} skipped: the backend has its own users table")
            return
        unknown = [s.entity for s in (rel.source, rel.target) if s.entity not in self.entity_names]
        if unknown:
            self.error(rel.line, f"relationship to unknown entity '{unknown[0]}'")
            return
        if rel.option is not None:
            self.warn(rel.line, f"relationship option '{rel.option}' ignored")
        if rel.kind == "ManyToMany":
            self._add_link_entity(rel, label)
        else:
            self._add_relationship(rel)

    def _link_name(self, owner: str, reference: str) -> str:
        """Name the link entity ``<Owner><Reference>``, or with ``Link`` if that is taken."""
        taken = set(self.entity_names.values()) | set(self.enum_names.values())
        taken |= {link.name for _, link in self.links}
        tables = {plural(snake(name)) for name in taken}
        for candidate in (f"{owner}{pascal(reference)}", f"{owner}{pascal(reference)}Link"):
            if candidate not in taken and plural(snake(candidate)) not in tables:
                return candidate
        return ""

    def _add_link_entity(self, rel: JdlRelationship, label: str) -> None:
        """Map ``ManyToMany A{b} to B{a}`` onto a link entity with two references."""
        owner, target = self.entity_names[rel.source.entity], self.entity_names[rel.target.entity]
        owner_ref = self._member_name(owner, owner, rel.line, RESERVED_PYTHON_NAMES)
        target_ref = self._member_name(
            owner, rel.source.field or target, rel.line, RESERVED_PYTHON_NAMES
        )
        if owner_ref is None or target_ref is None:
            return
        if target_ref == owner_ref:  # an entity linked to others of its kind
            target_ref = f"linked_{target_ref}"
        name = self._link_name(owner, target_ref)
        if not name or not self._check_length("entity", name, rel.line):
            self.error(rel.line, f"{label}: no free name for its link entity")
            return
        try:
            link = self._link_entity(name, rel.doc, (owner, owner_ref), (target, target_ref))
        except ValidationError as error:
            self.error(rel.line, f"{label}: link entity '{name}': {_first_message(error)}")
            return
        self.links.append((rel.line, link))
        self.warn(rel.line, f"{label} mapped to the link entity '{name}' (one record per pair)")

    @staticmethod
    def _link_entity(
        name: str, doc: str, owner: tuple[str, str], target: tuple[str, str]
    ) -> EntitySpec:
        (owner_name, owner_ref), (target_name, target_ref) = owner, target
        return EntitySpec(
            name=name,
            description=doc or f"Links a {owner_name} to a {target_name} (many to many).",
            fields=[
                FieldSpec(
                    name="sort_order",
                    type="integer",
                    required=False,
                    minimum=0,
                    description=f"Position of this {target_name} among the {owner_name}'s "
                    f"{target_ref}.",
                )
            ],
            relationships=[
                RelationshipSpec(
                    name=owner_ref, target=owner_name, description=f"The linked {owner_name}."
                ),
                RelationshipSpec(
                    name=target_ref, target=target_name, description=f"The linked {target_name}."
                ),
            ],
        )

    def _add_relationship(self, rel: JdlRelationship) -> None:
        one_to_many = rel.kind == "OneToMany"
        owner, other = (rel.target, rel.source) if one_to_many else (rel.source, rel.target)
        owner_name = self.entity_names[owner.entity]
        raw = owner.field or other.entity
        name = self._member_name(owner.entity, raw, rel.line, RESERVED_PYTHON_NAMES)
        label = f"relationship '{raw}'"
        if name is None or not (
            self._register(owner_name, name, label, rel.line)
            and self._register(owner_name, f"{name}_id", f"{label} column", rel.line)
        ):
            return
        self.relationships.setdefault(owner_name, []).append(
            RelationshipSpec(
                name=name,
                target=self.entity_names[other.entity],
                kind="one_to_one" if rel.kind == "OneToOne" else "many_to_one",
                required=owner.required,
                description=rel.doc,
            )
        )

    # -- options, applications ------------------------------------------------------------

    def _options(self, options: list[JdlOption] | tuple[JdlOption, ...]) -> None:
        for option in options:
            for name in option.entities + option.excluded:
                if name != "*" and name not in self.entity_names:
                    self.error(option.line, f"option '{option.name}' names unknown entity '{name}'")
            effect = _OPTION_EFFECTS.get(option.name, "ignored: unknown option")
            self.warn(option.line, f"option '{option.name}' {effect}")

    def _entity_annotations(self) -> None:
        for entity in self.doc.entities:
            for annotation in entity.annotations:
                effect = _OPTION_EFFECTS.get(annotation.name, "ignored: unknown annotation")
                self.warn(annotation.line, f"annotation '@{annotation.name}' {effect}")

    def answers(self) -> dict[str, str]:
        """Derive answers from the first application; warn about the rest."""
        for deployment in self.doc.deployments:
            self.warn(deployment.line, "deployment block ignored (see the 'deployment' answer)")
        for application in self.doc.applications:
            self._options(application.options)
        if not self.doc.applications:
            return {}
        first = self.doc.applications[0]
        if len(self.doc.applications) > 1:
            count = len(self.doc.applications)
            self.warn(first.line, f"{count} applications: config taken from the first one only")
        if first.entities and first.entities != ("*",):
            self.warn(first.line, "application entity list ignored: every entity is imported")
        found: dict[str, str] = {}
        self._project_name(first, found)
        self._database(first, found)
        self._auth(first, found)
        ignored = [key for key in first.config if key not in _MAPPED_CONFIG]
        if ignored:
            self.warn(first.line, f"application config ignored: {', '.join(ignored)}")
        return found

    def _config(self, block: JdlBlock, key: str) -> str | None:
        value = block.config.get(key)
        return value if isinstance(value, str) else None

    def _project_name(self, block: JdlBlock, found: dict[str, str]) -> None:
        base = self._config(block, "baseName")
        if base is None:
            return
        name = _sanitise_project_name(base)
        if name is None:
            self.warn(block.line, f"baseName '{base}' unusable as a project name: ignored")
            return
        if name != base:
            self.warn(block.line, f"baseName '{base}' mapped to project_name '{name}'")
        found["project_name"] = name

    def _database(self, block: JdlBlock, found: dict[str, str]) -> None:
        engine = self._config(block, "prodDatabaseType") or self._config(block, "databaseType")
        if engine is None or engine.lower() == "sql":
            return
        if engine.lower() in _SQL_DATABASES:
            found["database"] = "postgresql"
        elif engine.lower() in _H2_DATABASES:
            found["database"] = "sqlite"
        else:
            self.warn(block.line, f"database '{engine}' is not relational: database left default")
            return
        if engine != found["database"]:
            self.warn(block.line, f"prodDatabaseType '{engine}' mapped to '{found['database']}'")

    def _auth(self, block: JdlBlock, found: dict[str, str]) -> None:
        auth = self._config(block, "authenticationType")
        if auth is None:
            return
        if auth not in _AUTH_TYPES:
            self.warn(block.line, f"authenticationType '{auth}' unknown: auth left default")
            return
        found["auth"] = "jwt"
        if auth != "jwt":
            self.warn(block.line, f"authenticationType '{auth}' mapped to 'jwt'")

    # -- assembly -------------------------------------------------------------------------

    def _read_constants(self) -> None:
        for name, value, line in self.doc.constants:
            if name in self.constants:
                self.error(line, f"duplicate constant '{name}'")
            self.constants[name] = value

    def _entities(self) -> Iterator[EntitySpec]:
        """Build the entities; warn about, or reject, entities left without fields."""
        built: set[str] = set()
        for entity in self.doc.entities:
            final = self.entity_names.get(entity.name)
            if final is None or final in built or final in self.failed:
                continue
            built.add(final)
            fields = self.fields.get(final, [])
            if not fields:
                self.error(entity.line, f"entity '{entity.name}' has no fields")
                continue
            if self._errors:
                continue  # the import fails anyway; spare the user follow-up errors
            try:
                yield EntitySpec(
                    name=final,
                    description=entity.doc,
                    fields=fields,
                    relationships=self.relationships.get(final, []),
                )
            except ValidationError as error:
                self.error(entity.line, f"entity '{entity.name}': {_first_message(error)}")
        if not self._errors:
            yield from (link for _, link in self.links)

    def run(self, stem: str) -> tuple[DomainSpec, dict[str, str], list[str]]:
        """Run every mapping step.

        Args:
            stem: The file name without suffix, the domain title's fallback.

        Returns:
            The validated domain spec, the answers and the warnings.

        Raises:
            UserInputError: With every problem found, joined by ``'; '``.
        """
        self._read_constants()
        self._claim_type_names()
        enums = self._enums()
        done: set[str] = set()
        for entity in self.doc.entities:
            if entity.name in self.entity_names and entity.name not in done:
                done.add(entity.name)
                self._entity_fields(entity)
        for relationship in self.doc.relationships:
            self._relationship(relationship)
        self._options(self.doc.options)
        self._entity_annotations()
        answers = self.answers()
        entities = list(self._entities())
        if not self.doc.entities:
            self.error(1, "declares no entities, nothing to generate")
        if self._errors:
            problems = sorted(self._errors, key=lambda item: item[0])
            raise UserInputError("; ".join(text for _, text in problems))
        title = f"{answers.get('project_name', stem)} (imported from JDL)"
        try:
            domain = DomainSpec(
                title=title[:MAX_DESCRIPTION],
                summary=f"Imported from the JHipster JDL file {Path(self.origin).name}."[:300],
                entities=entities,
                enums=enums,
            )
            domain.core_spec()
        except ValidationError as error:
            raise UserInputError(f"{self.origin}: {_first_message(error)}") from None
        return domain, answers, self.warnings


def _first_message(error: ValidationError) -> str:
    """One line for a pydantic error: message and location."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{message} (at {where})" if where else message


def load_jdl(path: Path) -> tuple[DomainSpec, dict[str, str], list[str]]:
    """Load a JDL file as a domain spec plus the answers and warnings it implies.

    Args:
        path: A ``.jdl`` or ``.jh`` file.

    Returns:
        The validated domain spec; answers (``project_name``, ``database``, ``auth``) from the
        first application's config; one warning line per loosely mapped or ignored item.

    Raises:
        UserInputError: If the file cannot be read, is not valid JDL, or does not map onto a
            valid domain spec (every problem as ``file:line: message``, joined by ``'; '``).
    """
    from backendgen.questions.domain import read_domain_text  # domain imports this module

    text = read_domain_text(path)
    origin = str(path)
    return _Importer(parse_jdl(text, origin), origin).run(path.stem)
