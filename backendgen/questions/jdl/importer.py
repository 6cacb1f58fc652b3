"""Assemble the domain spec from a parsed JDL document: :func:`load_jdl`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from backendgen.domain.declared import DomainSpec
from backendgen.domain.entities import EntitySpec
from backendgen.errors import UserInputError
from backendgen.questions.jdl.applications import ApplicationMapper
from backendgen.questions.jdl.base import first_message
from backendgen.questions.jdl.fields import FieldMapper
from backendgen.questions.jdl.reader import parse_jdl
from backendgen.questions.jdl.relations import RelationshipMapper
from backendgen.questions.jdl.tables import MAX_DESCRIPTION

SKELETON_WARNING = (
    "declares no entities: generating the application skeleton "
    "(users and auth, health, metrics, infrastructure, docs)"
)
"""The warning of an application-only model."""


class Importer(FieldMapper, RelationshipMapper, ApplicationMapper):
    """Maps a :class:`JdlDocument` onto a :class:`DomainSpec`, collecting errors and warnings."""

    def _read_constants(self) -> None:
        for name, value, line in self.doc.constants:
            if name in self.constants:
                self.error(line, f"duplicate constant '{name}'")
            self.constants[name] = value

    def _included(self, name: str) -> bool:
        """Whether an entity (JDL name) is generated: declared, not built in, chosen."""
        return (
            name in self.entity_names
            and name not in self.builtins
            and (self.selected is None or name in self.selected)
        )

    def _entities(self) -> Iterator[EntitySpec]:
        """Build the entities (an entity without fields is an id plus its relationships)."""
        built: set[str] = set()
        for entity in self.doc.entities:
            final = self.entity_names.get(entity.name)
            if not self._included(entity.name) or final is None:
                continue
            if final in built or final in self.failed:
                continue
            built.add(final)
            if self._errors:
                continue  # the import fails anyway; spare the user follow-up errors
            try:
                yield EntitySpec(
                    name=final,
                    description=entity.doc,
                    fields=self.fields.get(final, []),
                    relationships=self.relationships.get(final, []),
                )
            except ValidationError as error:
                self.error(entity.line, f"entity '{entity.name}': {first_message(error)}")
        if not self._errors:
            yield from (link for _, link in self.links)

    def run(
        self, stem: str, application: str | None = None
    ) -> tuple[DomainSpec, dict[str, str], list[str]]:
        """Run every mapping step.

        Args:
            stem: The file name without suffix, the domain title's fallback.
            application: The ``baseName`` of the application to generate, or None.

        Returns:
            The validated domain spec, the answers and the warnings.

        Raises:
            UserInputError: With every problem found, joined by ``'; '``.
        """
        self._read_constants()
        self._claim_type_names()
        self.select_application(application)
        enums = self._enums()
        done: set[str] = set()
        for entity in self.doc.entities:
            if self._included(entity.name) and entity.name not in done:
                done.add(entity.name)
                self._entity_fields(entity)
        for relationship in self.doc.relationships:
            self._relationship(relationship)
        self._options(self.doc.options)
        self._entity_annotations()
        answers = self.answers()
        entities = list(self._entities())
        if not self.doc.entities and not self.doc.applications:
            self.error(1, "declares no entities and no application, nothing to generate")
        elif not entities and not self._errors:
            line = self.chosen.line if self.chosen is not None else 1
            self.warn(line, SKELETON_WARNING)
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
            domain.check_references()
        except ValidationError as error:
            message = first_message(error)
            raise UserInputError(f"{self.origin}:{self._line_of(message)}: {message}") from None
        return domain, answers, self.warnings

    def _line_of(self, message: str) -> int:
        """The line of the first entity (or link entity) a spec-level message names."""
        lines = {self.entity_names.get(e.name, e.name): e.line for e in self.doc.entities}
        lines.update({link.name: line for line, link in self.links})
        named = [line for name, line in lines.items() if re.search(rf"\b{name}\b", message)]
        return min(named, default=1)


def load_jdl(
    path: Path, application: str | None = None
) -> tuple[DomainSpec, dict[str, str], list[str]]:
    """Load a JDL file as a domain spec plus the answers and warnings it implies.

    Args:
        path: A ``.jdl`` or ``.jh`` file.
        application: For a file with several ``application`` blocks, the ``baseName`` of the
            one to generate (only the entities it lists); None for a file with at most one.

    Returns:
        The validated domain spec (no entities for an application-only file); answers
        (``project_name``, ``database``, ``auth``) from the application's config; one warning
        line per loosely mapped or ignored item.

    Raises:
        UserInputError: If the file cannot be read, is not valid JDL, has several applications
            and none was chosen, or does not map onto a valid domain spec (every problem as
            ``file:line: message``, joined by ``'; '``).
    """
    from backendgen.questions.domain import read_domain_text  # domain imports this package

    text = read_domain_text(path)
    origin = str(path)
    return Importer(parse_jdl(text, origin), origin).run(path.stem, application)
