"""Errors the services raise; the API turns each into one HTTP status."""


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
