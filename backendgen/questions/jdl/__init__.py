"""Import JHipster Domain Language (JDL) files as domain specs.

One module per job: :mod:`~.model` (the parsed document), :mod:`~.reader` (grammar
``jdl.lark``, LALR(1), into the document), :mod:`~.tables` (what each JDL type, validation,
option and config value becomes), and the mapping onto
:class:`~backendgen.questions.domain.DomainSpec`: :mod:`~.base` (names, enums),
:mod:`~.fields`, :mod:`~.relations` (foreign keys, link entities, the built-in ``User`` and
``Authority``), :mod:`~.applications` (options, annotations, ``application`` blocks) and
:mod:`~.importer` (:func:`load_jdl`).

The full mapping, with the rename policy, the built-in entities and the multi-application
rules, is documented in ``docs/jdl.md``. Every problem is reported as ``file:line: message``
(all of them joined in one :class:`~backendgen.errors.UserInputError` line); everything
mapped loosely or ignored is one warning line each.
"""

from __future__ import annotations

from backendgen.domain.naming import RESERVED_FIELD_NAMES
from backendgen.questions.jdl.importer import load_jdl
from backendgen.questions.jdl.model import (
    JdlAnnotation,
    JdlBlock,
    JdlDocument,
    JdlEntity,
    JdlEnum,
    JdlEnumValue,
    JdlField,
    JdlOption,
    JdlRelationship,
    JdlSide,
    JdlValidation,
)
from backendgen.questions.jdl.reader import parse_jdl
from backendgen.questions.jdl.tables import JDL_SUFFIXES, MAX_NAME_LENGTH

__all__ = [
    "JDL_SUFFIXES",
    "MAX_NAME_LENGTH",
    "RESERVED_FIELD_NAMES",
    "JdlAnnotation",
    "JdlBlock",
    "JdlDocument",
    "JdlEntity",
    "JdlEnum",
    "JdlEnumValue",
    "JdlField",
    "JdlOption",
    "JdlRelationship",
    "JdlSide",
    "JdlValidation",
    "load_jdl",
    "parse_jdl",
]
