"""The ``security`` application: users and the audit log."""

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Registers the users and audit tables."""

    name = "security"
    default_auto_field = "django.db.models.AutoField"
