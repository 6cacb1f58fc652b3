"""The ``core`` application: the domain's models and their migrations."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Registers the domain models."""

    name = "core"
    default_auto_field = "django.db.models.AutoField"
