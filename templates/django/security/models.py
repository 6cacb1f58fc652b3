"""Users of the API and the audit log of every write."""

from django.db import models


class User(models.Model):
    """An account: an e-mail address, an argon2 password hash and one role."""

    email = models.CharField(max_length=320, unique=True)
    hashed_password = models.CharField(max_length=255)
    role = models.CharField(max_length=48)
    is_active = models.BooleanField(default=True)
    principal_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "users"


class AuditLogEntry(models.Model):
    """Who changed which record, how and when (appended, never updated)."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=320)
    action = models.CharField(max_length=16)
    entity = models.CharField(max_length=64)
    entity_id = models.IntegerField()

    class Meta:
        db_table = "audit_log"
