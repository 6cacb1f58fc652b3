"""The audit log: one row per write, with the acting user."""

from django.http import HttpRequest

from security.models import AuditLogEntry, User


def record_change(request: HttpRequest, action: str, entity: str, entity_id: int) -> None:
    """Append who did ``action`` on ``entity`` ``entity_id``."""
    user = getattr(request, "auth", None)
    actor = user.email if isinstance(user, User) else "anonymous"
    AuditLogEntry.objects.create(actor=actor, action=action, entity=entity, entity_id=entity_id)
