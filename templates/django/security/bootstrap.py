"""The first administrator, from ``BOOTSTRAP_ADMIN_EMAIL`` and ``BOOTSTRAP_ADMIN_PASSWORD``.

It acts once: only while no administrator exists, and never on an address that already has
an account. Without both settings nothing happens.
"""

import logging

from django.conf import settings
from django.db import DatabaseError

from security.auth import hash_password
from security.models import User
from security.permissions import ADMIN_ROLE, PASSWORD_MIN_LENGTH

logger = logging.getLogger(__name__)


def bootstrap_admin() -> bool:
    """Create the first administrator from the settings, if they ask for one."""
    email = str(settings.BOOTSTRAP_ADMIN_EMAIL).strip().lower()
    password = str(settings.BOOTSTRAP_ADMIN_PASSWORD)
    admin_role = ADMIN_ROLE
    if not email or not password or admin_role is None:
        return False
    if len(password) < PASSWORD_MIN_LENGTH:
        logger.error("BOOTSTRAP_ADMIN_PASSWORD is shorter than %d characters", PASSWORD_MIN_LENGTH)
        return False
    try:
        admins = User.objects.filter(role=admin_role)
        if admins.exists() or User.objects.filter(email=email).exists():
            return False
        User.objects.create(email=email, hashed_password=hash_password(password), role=admin_role)
    except DatabaseError:
        logger.exception("cannot create the first administrator (is the database migrated?)")
        return False
    return True
