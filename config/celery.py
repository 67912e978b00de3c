"""The Celery application: workers run evaluations and Excel exports."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task durations for /metrics and the request id carried into tasks.
from core.observability import connect_celery_signals  # noqa: E402

connect_celery_signals()
