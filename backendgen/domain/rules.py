"""Business rules an entity states declaratively, so that every renderer can enforce them.

Four kinds, told apart by ``kind``:

- ``prose``: a rule in one sentence that no renderer enforces (documentation only).
- ``range``: bounds on one field. Numbers (``integer``, ``decimal``) take ``minimum`` and
  ``maximum`` (each inclusive unless ``exclusive_minimum``/``exclusive_maximum``); dates and
  datetimes take ``earliest`` and ``latest`` (inclusive), each an ISO date or a bound relative
  to the request's day (see :data:`DATE_BOUND`): ``latest: today-18y`` is "at least 18 years
  old", ``latest: now`` is "not in the future".
- ``compare``: ``field <operator> other`` between two attributes of one record, e.g.
  ``ends_at >= starts_at`` or ``source_account_id != destination_account_id``. Either side is a
  field or a relationship's column; a side without a value (optional, unset) passes.
- ``transitions``: the allowed changes of an enum field: ``initial`` lists the values a record
  may be created with (none listed: any), ``allowed`` maps each value to those it may change
  to; a value without an entry is final. Keeping the same value is always allowed.

A renderer enforces ``range`` and ``compare`` on create and on update (on the record as it
would be after a partial update), and ``transitions`` on update. The models hold no framework
code; :func:`rule_problems` checks a rule against its entity.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, computed_field, model_validator

from backendgen.domain.types import EnumValue, ShortText, SnakeName, SpecPart

DATE_BOUND = re.compile(
    r"^(?:(?P<anchor>today|now)(?:(?P<sign>[+-])(?P<count>[0-9]{1,4})(?P<unit>[dmy]))?"
    r"|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}))$"
)
"""A date bound: ``today`` or ``now``, optionally shifted by days, months or years
(``today-18y``, ``now+30d``, ``today-6m``), or an ISO date (``1900-01-01``)."""

DateBound = Annotated[str, StringConstraints(pattern=DATE_BOUND.pattern, max_length=16)]
"""A bound of a date or datetime range (see :data:`DATE_BOUND`)."""

Operator = Literal["<", "<=", "==", "!=", ">=", ">"]
"""How ``field`` compares to ``other`` in a ``compare`` rule."""

NUMBER_TYPES = frozenset({"integer", "decimal"})
"""Field types a numeric range applies to."""

DATE_TYPES = frozenset({"date", "datetime"})
"""Field types a date range applies to."""

ORDERED_TYPES = NUMBER_TYPES | DATE_TYPES
"""Field types ``<``, ``<=``, ``>=`` and ``>`` compare."""

_FAMILIES = {"integer": "number", "decimal": "number", "text": "string", "email": "string"}
"""Field types whose values compare with each other's (the rest compare with their own)."""


class ProseRule(SpecPart):
    """A business rule in words, documented but not enforced by the generated code."""

    kind: Literal["prose"] = Field(default="prose", description="Always 'prose'.")
    description: ShortText = Field(min_length=1, description="The rule in one sentence.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The rule in words (its description, else derived from its parts), for messages."""
        return rule_text(self)


class RangeRule(SpecPart):
    """Bounds on one numeric, date or datetime field."""

    kind: Literal["range"] = Field(description="Always 'range'.")
    field: SnakeName = Field(description="The bounded field.")
    minimum: float | None = Field(default=None, description="Lower bound of a number.")
    maximum: float | None = Field(default=None, description="Upper bound of a number.")
    exclusive_minimum: bool = Field(
        default=False, description="The value must be greater than minimum, not equal."
    )
    exclusive_maximum: bool = Field(
        default=False, description="The value must be less than maximum, not equal."
    )
    earliest: DateBound | None = Field(
        default=None,
        description="Earliest date or datetime (inclusive): ISO date, or today/now shifted "
        "by days, months or years, e.g. 'today-120y'.",
    )
    latest: DateBound | None = Field(
        default=None,
        description="Latest date or datetime (inclusive), e.g. 'today-18y' (at least 18 "
        "years ago) or 'now' (not in the future).",
    )
    description: ShortText = Field(default="", description="The rule in one sentence.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The rule in words (its description, else derived from its parts), for messages."""
        return rule_text(self)

    @model_validator(mode="after")
    def _check_bounds(self) -> RangeRule:
        numbers = self.minimum is not None or self.maximum is not None
        dates = self.earliest is not None or self.latest is not None
        if numbers == dates:
            raise ValueError(
                f"range rule on '{self.field}' needs minimum/maximum (numbers) or "
                "earliest/latest (dates), not both nor neither"
            )
        if self.exclusive_minimum and self.minimum is None:
            raise ValueError(f"range rule on '{self.field}' has exclusive_minimum but no minimum")
        if self.exclusive_maximum and self.maximum is None:
            raise ValueError(f"range rule on '{self.field}' has exclusive_maximum but no maximum")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"range rule on '{self.field}' has minimum > maximum")
        return self


class CompareRule(SpecPart):
    """A comparison between two attributes of the same record."""

    kind: Literal["compare"] = Field(description="Always 'compare'.")
    field: SnakeName = Field(description="Left side: a field or relationship column.")
    operator: Operator = Field(description="How field compares to other.")
    other: SnakeName = Field(description="Right side: a field or relationship column.")
    description: ShortText = Field(default="", description="The rule in one sentence.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The rule in words (its description, else derived from its parts), for messages."""
        return rule_text(self)


class Transition(SpecPart):
    """The values one enum value may change to."""

    source: EnumValue = Field(description="The value changed from.")
    targets: list[EnumValue] = Field(
        max_length=30, description="The values it may change to; none: it is final."
    )


class TransitionRule(SpecPart):
    """The allowed life cycle of an enum field (a status)."""

    kind: Literal["transitions"] = Field(description="Always 'transitions'.")
    field: SnakeName = Field(description="The enum field, e.g. 'status'.")
    initial: list[EnumValue] = Field(
        default_factory=list,
        max_length=30,
        description="Values a record may be created with; none listed: any value.",
    )
    allowed: list[Transition] = Field(
        default_factory=list,
        max_length=30,
        description="Allowed changes per value; a value not listed as a source is final.",
    )
    description: ShortText = Field(default="", description="The rule in one sentence.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The rule in words (its description, else derived from its parts), for messages."""
        return rule_text(self)

    @model_validator(mode="after")
    def _check_sources(self) -> TransitionRule:
        sources = [t.source for t in self.allowed]
        if len(set(sources)) != len(sources):
            raise ValueError(f"transitions of '{self.field}' list a source value twice")
        return self


RuleSpec = Annotated[
    ProseRule | RangeRule | CompareRule | TransitionRule, Field(discriminator="kind")
]
"""One business rule of an entity."""


RuleInput = ShortText | RuleSpec
"""A rule as a domain file may give it: a sentence (a prose rule) or a rule object."""


def as_rule(value: Any) -> Any:
    """Read a rule given as plain text (the format before declarative rules) as prose."""
    if isinstance(value, str):
        return {"kind": "prose", "description": value}
    if isinstance(value, Mapping) and "kind" not in value and set(value) <= {"description", "text"}:
        return {**value, "kind": "prose"}
    return value


def rule_text(rule: ProseRule | RangeRule | CompareRule | TransitionRule) -> str:
    """The rule in words: its description, else a sentence derived from its parts."""
    if rule.description or isinstance(rule, ProseRule):
        return rule.description
    if isinstance(rule, CompareRule):
        return f"{rule.field} {rule.operator} {rule.other}"
    if isinstance(rule, TransitionRule):
        return f"{rule.field} changes only along its allowed transitions"
    parts = []
    if rule.minimum is not None:
        parts.append(f"{rule.field} {'>' if rule.exclusive_minimum else '>='} {rule.minimum:g}")
    if rule.maximum is not None:
        parts.append(f"{rule.field} {'<' if rule.exclusive_maximum else '<='} {rule.maximum:g}")
    if rule.earliest is not None:
        parts.append(f"{rule.field} >= {rule.earliest}")
    if rule.latest is not None:
        parts.append(f"{rule.field} <= {rule.latest}")
    return " and ".join(parts)


def _shift(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, the day clamped to the month's length (Feb 29 -> 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for clamp in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month + 1, day=min(day.day, clamp))
        except ValueError:
            continue
    raise ValueError(f"cannot shift {day} by {months} months")  # pragma: no cover


def resolve_bound(bound: str, today: dt.date) -> dt.date:
    """The date a bound names on ``today`` (``now`` resolves to today's date here).

    Args:
        bound: A :data:`DATE_BOUND`.
        today: The day the bound is evaluated on.

    Returns:
        The bound's date.

    Raises:
        ValueError: If ``bound`` is not a date bound.
    """
    match = DATE_BOUND.fullmatch(bound)
    if match is None:
        raise ValueError(f"'{bound}' is not a date bound")
    if match["date"]:
        return dt.date.fromisoformat(match["date"])
    if not match["count"]:
        return today
    count = int(match["count"]) * (-1 if match["sign"] == "-" else 1)
    if match["unit"] == "d":
        return today + dt.timedelta(days=count)
    return _shift(today, count * (12 if match["unit"] == "y" else 1))


def _kinds(entity_fields: Mapping[str, tuple[str, str | None]], name: str) -> str | None:
    """The comparison family of an attribute (``id`` for relationship columns), if it exists."""
    found = entity_fields.get(name)
    if found is None:
        return None
    kind, enum = found
    return f"enum:{enum}" if kind == "enum" else _FAMILIES.get(kind, kind)


def _range_problem(where: str, rule: RangeRule, kind: str) -> str | None:
    """Why a range rule does not fit its field's type, if it does not."""
    numbers = rule.minimum is not None or rule.maximum is not None
    wanted = NUMBER_TYPES if numbers else DATE_TYPES
    if kind in wanted:
        return None
    bounds = "minimum/maximum" if numbers else "earliest/latest"
    return f"{where}: {bounds} needs a field of type {sorted(wanted)}, not '{kind}'"


def _compare_problem(
    where: str, rule: CompareRule, attributes: Mapping[str, tuple[str, str | None]]
) -> str | None:
    """Why a comparison cannot be evaluated on its entity, if it cannot."""
    if rule.other not in attributes:
        return f"{where} names unknown field '{rule.other}'"
    if rule.other == rule.field:
        return f"{where} compares '{rule.field}' with itself"
    if _kinds(attributes, rule.field) != _kinds(attributes, rule.other):
        return f"{where}: '{rule.field}' and '{rule.other}' have types that do not compare"
    kind = attributes[rule.field][0]
    if rule.operator not in ("==", "!=") and kind not in ORDERED_TYPES:
        return f"{where}: '{rule.operator}' needs numbers, dates or datetimes, not '{kind}'"
    return None


def _transition_problem(
    where: str, rule: TransitionRule, field: tuple[str, str | None], enums: Mapping[str, list[str]]
) -> str | None:
    """Why a transition rule does not fit its field, if it does not."""
    kind, enum = field
    if kind != "enum":
        return f"{where}: transitions need an enum field, '{rule.field}' is '{kind}'"
    if enum is None or enum not in enums:
        return None
    named = [*rule.initial, *(t.source for t in rule.allowed)]
    named += [v for t in rule.allowed for v in t.targets]
    unknown = sorted(set(named) - set(enums[enum]))
    if unknown:
        return f"{where} names values {unknown} that enum {enum} does not have"
    return None


def rule_problems(
    entity: str,
    rule: ProseRule | RangeRule | CompareRule | TransitionRule,
    attributes: Mapping[str, tuple[str, str | None]],
    enums: Mapping[str, list[str]] | None = None,
) -> list[str]:
    """What makes ``rule`` unusable on its entity.

    Args:
        entity: The entity's name (for the messages).
        rule: One of its rules.
        attributes: Field name -> (type, enum name), relationship column -> ("id", None).
        enums: Enum name -> values, to check transition values; None skips that check.

    Returns:
        One message per unknown attribute, mismatched type or unknown enum value.
    """
    if isinstance(rule, ProseRule):
        return []
    where = f"{entity} rule '{rule_text(rule)}'"
    if rule.field not in attributes:
        return [f"{where} names unknown field '{rule.field}'"]
    problem: str | None
    if isinstance(rule, RangeRule):
        problem = _range_problem(where, rule, attributes[rule.field][0])
    elif isinstance(rule, CompareRule):
        problem = _compare_problem(where, rule, attributes)
    else:
        problem = _transition_problem(where, rule, attributes[rule.field], enums or {})
    return [problem] if problem else []
