"""Map JDL relationships: foreign keys, link entities, the built-in User and Authority."""

from __future__ import annotations

from pydantic import ValidationError

from backendgen.domain.entities import USERS_TARGET, EntitySpec, FieldSpec, RelationshipSpec
from backendgen.domain.naming import RESERVED_PYTHON_NAMES, pascal, plural, snake
from backendgen.questions.jdl.base import ImporterBase, first_message
from backendgen.questions.jdl.model import JdlRelationship
from backendgen.renderers import reserved_member_names

USER_EFFECT = (
    "the built-in User is the backend's own users table (security/models.py): '{column}' "
    "references users.id, and the least-privilege role sees only its own rows (docs/jdl.md)"
)
"""The warning of a relationship to ``User`` mapped onto a foreign key to the users table."""

USER_SIDE_EFFECT = (
    "the built-in User is the backend's own users table (security/models.py), which takes "
    "no new columns: reference skipped; declare it from the other side, e.g. "
    "'ManyToOne {other}{{user}} to User' (docs/jdl.md)"
)
"""The warning of a relationship that would put a foreign key on the users table."""

BUILT_IN_EFFECTS: dict[str, str] = {
    "Authority": "the built-in Authority maps to the backend's roles (the permission matrix "
    "decides who may do what); no column is generated for this reference (docs/jdl.md)",
}
"""What a relationship to each JHipster built-in entity becomes (docs/jdl.md)."""

BUILT_IN_OTHER = "a built-in entity of JHipster: no such table here, reference skipped"


class RelationshipMapper(ImporterBase):
    """Builds the relationships and link entities."""

    def _builtin_side(self, rel: JdlRelationship) -> str | None:
        """The built-in entity (``User``, ``Authority``) a relationship refers to, if any."""
        for side in (rel.target, rel.source):
            if side.entity in self.builtins:
                return side.entity
        if rel.option == "builtInEntity" and rel.target.entity not in self.entity_names:
            return rel.target.entity
        return None

    def _relationship(self, rel: JdlRelationship) -> None:
        label = f"{rel.kind} {rel.source.entity} to {rel.target.entity}"
        for annotation in rel.annotations:
            self.warn(annotation.line, f"relationship annotation '@{annotation.name}' ignored")
        if rel.kind not in ("OneToOne", "OneToMany", "ManyToOne", "ManyToMany"):
            self.error(rel.line, f"unknown relationship type '{rel.kind}'")
            return
        if not self._wanted(rel):
            return
        builtin = self._builtin_side(rel)
        if builtin == USERS_TARGET:
            self._user_relationship(rel, label)
            return
        if builtin is not None:
            self.warn(rel.line, f"{label}: {BUILT_IN_EFFECTS.get(builtin, BUILT_IN_OTHER)}")
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

    def _final(self, name: str) -> str:
        """The spec name of an entity (JDL name), ``User`` for the built-in users table."""
        if name == USERS_TARGET and name in self.builtins:
            return USERS_TARGET
        return self.entity_names[name]

    def _user_relationship(self, rel: JdlRelationship, label: str) -> None:
        """Map a relationship to the built-in ``User`` onto a reference to the users table.

        The foreign key sits on the other entity (the users table takes no columns); a link
        entity carries a many-to-many. A relationship that would put the key on ``User``
        (``ManyToOne User{a} to A``, ``OneToMany A{users} to User``) is skipped with a warning.
        """
        other = rel.target if rel.source.entity == USERS_TARGET else rel.source
        if other.entity == USERS_TARGET or other.entity not in self.entity_names:
            self.error(rel.line, f"relationship to unknown entity '{other.entity}'")
            return
        key_on_user = (rel.kind == "OneToMany") == (rel.target.entity == USERS_TARGET)
        if rel.kind != "ManyToMany" and key_on_user:
            other_name = self.entity_names[other.entity]
            self.warn(rel.line, f"{label}: {USER_SIDE_EFFECT.format(other=other_name)}")
            return
        if rel.kind == "ManyToMany":
            self._add_link_entity(rel, label)
            return
        spec = self._add_relationship(rel)
        if spec is not None:
            self.warn(rel.line, f"{label}: {USER_EFFECT.format(column=spec.column)}")

    def _wanted(self, rel: JdlRelationship) -> bool:
        """Whether both ends belong to the chosen application (warn when one end does)."""
        if self.selected is None:
            return True
        ends = [s.entity for s in (rel.source, rel.target) if s.entity not in self.builtins]
        inside = [name for name in ends if name in self.selected]
        if len(inside) == len(ends):
            return True
        if inside:
            outside = next(name for name in ends if name not in self.selected)
            self.warn(
                rel.line,
                f"{rel.kind} {rel.source.entity} to {rel.target.entity} skipped: "
                f"'{outside}' belongs to another application",
            )
        return False

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
        owner, target = self._final(rel.source.entity), self._final(rel.target.entity)
        reserved = RESERVED_PYTHON_NAMES | reserved_member_names()
        owner_ref = self._member_name(owner, owner, rel.line, reserved)
        target_ref = self._member_name(owner, rel.source.field or target, rel.line, reserved)
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
            self.error(rel.line, f"{label}: link entity '{name}': {first_message(error)}")
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

    def _add_relationship(self, rel: JdlRelationship) -> RelationshipSpec | None:
        one_to_many = rel.kind == "OneToMany"
        owner, other = (rel.target, rel.source) if one_to_many else (rel.source, rel.target)
        owner_name = self.entity_names[owner.entity]
        raw = owner.field or other.entity
        reserved = RESERVED_PYTHON_NAMES | reserved_member_names()
        name = self._member_name(owner.entity, raw, rel.line, reserved)
        label = f"relationship '{raw}'"
        if name is None or not (
            self._register(owner_name, name, label, rel.line)
            and self._register(owner_name, f"{name}_id", f"{label} column", rel.line)
        ):
            return None
        try:
            spec = RelationshipSpec(
                name=name,
                target=self._final(other.entity),
                kind="one_to_one" if rel.kind == "OneToOne" else "many_to_one",
                required=owner.required,
                description=rel.doc,
            )
        except ValidationError as error:
            self.error(rel.line, f"{label}: {first_message(error)}")
            return None
        self.relationships.setdefault(owner_name, []).append(spec)
        return spec
