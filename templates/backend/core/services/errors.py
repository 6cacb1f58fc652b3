"""Errors the services raise; the API turns each into one HTTP status."""

from collections.abc import Sequence


class ServiceError(Exception):
    """Base of the errors a service raises on purpose."""


class NotFoundError(ServiceError):
    """The requested record does not exist (404)."""

    def __init__(self, entity: str, record_id: int) -> None:
        super().__init__(f"{entity} {record_id} not found")


class ConflictError(ServiceError):
    """The change clashes with stored data: a duplicate value or a record still in use (409)."""


class InvalidReferenceError(ServiceError):
    """A reference names a record that does not exist (422)."""

    def __init__(self, field: str, entity: str, record_id: int) -> None:
        super().__init__(f"{entity} {record_id} does not exist")
        self.field = field
        self.record_id = record_id


class RuleViolationError(ServiceError):
    """The record would break a business rule of its entity (422, naming the rule)."""

    def __init__(self, rule: str, fields: Sequence[str]) -> None:
        super().__init__(f"Business rule broken: {rule}")
        self.rule = rule
        self.fields = tuple(fields)


class TransitionError(ConflictError):
    """A status change the entity's life cycle does not allow (409: a clash with stored state)."""

    def __init__(self, rule: str, field: str, old: str, new: str) -> None:
        super().__init__(f"{field} cannot change from {old} to {new}: {rule}")
        self.rule = rule
        self.field = field
