"""What the attack suite knows of a project: its specs, read from ``.copier-answers.yml``."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from backendgen.agents.registry import agent_named
from backendgen.generator.spec_versions import slot_migrations


@dataclass(frozen=True)
class Specs:
    """The project's answers with every slot at its current version."""

    answers: dict[str, Any]

    @classmethod
    def of(cls, project: Path) -> Specs:
        """Read (and migrate, as the template's render hook does) a project's answers."""
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        slot_migrations().migrate_answers(answers)
        return cls(answers)

    @property
    def core(self) -> dict[str, Any]:
        """The core backend slot."""
        return dict(self.answers.get(agent_named("core_backend").slot) or {})

    @property
    def security(self) -> dict[str, Any]:
        """The security and compliance slot."""
        return dict(self.answers.get(agent_named("security_compliance").slot) or {})

    def entity(self, name: str) -> dict[str, Any]:
        """One entity of the core spec."""
        return next(e for e in self.core["entities"] if e["name"] == name)

    def route(self, name: str) -> str:
        """Collection path of an entity."""
        return f"{self.core.get('api_prefix', '/api/v1')}/{self.entity(name)['route']}"

    def actions(self, role: str, entity: str) -> set[str]:
        """Actions the permission matrix grants ``role`` on ``entity``."""
        for perm in self.security.get("permissions", []):
            if perm["role"] == role and perm["entity"] == entity:
                return set(perm["actions"])
        return set()

    @property
    def admin_role(self) -> str:
        """The administrator role (the first one)."""
        return str(self.security["roles"][0]["name"])

    def sample(self, entity: str) -> dict[str, Any]:
        """The testing spec's sample body of ``entity``."""
        testing = self.answers.get(agent_named("testing_qa").slot) or {}
        for sample in testing.get("samples", []):
            if sample["entity"] == entity:
                return dict(sample["values"])
        raise LookupError(f"no sample of {entity}")


_counter = itertools.count(1)


def _vary(value: Any, field: dict[str, Any], n: int) -> Any:
    """Another value of a unique field, still valid for its type, length and pattern."""
    kind, pattern, limit = field["type"], field.get("pattern"), field.get("max_length")
    if kind == "email":
        return f"v{n}.{value}"
    if kind in ("string", "text"):
        digits = re.search(r"\d+$", value)
        candidates = [f"{value}-{n}", f"{value}{n}"]
        if digits:
            width = len(digits.group())
            candidates.insert(
                0, value[: digits.start()] + str(int(digits.group()) + n).zfill(width)[-width:]
            )
        for candidate in candidates:
            if (limit is None or len(candidate) <= limit) and (
                not pattern or re.search(pattern, candidate)
            ):
                return candidate
        raise LookupError(f"no second value for {field['name']}")
    if kind == "integer":
        return int(value) + n
    return value


def card_number(n: int) -> str:
    """A test card number (Visa, Luhn-valid), distinct for every ``n``."""
    body = f"4{n % 10**14:014d}"
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (1 if position % 2 else 2)
        total += value - 9 if value > 9 else value
    return f"{body}{(10 - total % 10) % 10}"


def tokenized_fields(specs: Specs, entity: str) -> list[str]:
    """The fields of ``entity`` the spec tokenises: they take a card number (PCI DSS)."""
    tokens = specs.security.get("pci_tokenization") or {}
    return [f["field"] for f in tokens.get("fields", []) if f["entity"] == entity]


def body_of(specs: Specs, entity: str) -> dict[str, Any]:
    """A valid create body of ``entity`` (without references), unique fields made fresh.

    A tokenised field gets a fresh test card number, not the token its sample shows.
    """
    n = next(_counter)
    fields = {f["name"]: f for f in specs.entity(entity)["fields"]}
    body = specs.sample(entity)
    tokenized = tokenized_fields(specs, entity)
    for name, value in body.items():
        if fields.get(name, {}).get("type") == "decimal" and isinstance(value, str):
            # The API takes decimals as JSON numbers; a spec may spell its sample as text.
            body[name] = float(value)
        if name in tokenized:
            body[name] = card_number(n)
        elif fields.get(name, {}).get("unique"):
            body[name] = _vary(value, fields[name], n)
    return body
