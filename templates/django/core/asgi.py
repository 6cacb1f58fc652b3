"""The ASGI application (``uvicorn core.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

application = get_asgi_application()

from security.bootstrap import bootstrap_admin  # noqa: E402  (needs the apps loaded)

bootstrap_admin()
