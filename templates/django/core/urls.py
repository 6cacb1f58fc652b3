"""URL routes: the django-ninja API, and ``/metrics``."""

from django.urls import path

from core.api import api
from monitoring.metrics import metrics_view

urlpatterns = [
    path("metrics", metrics_view, name="metrics"),
    path("", api.urls),
]
