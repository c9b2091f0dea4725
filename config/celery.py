"""The Celery app: reads the CELERY_* settings and finds tasks.py in every app."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gongjian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(**kwargs):
    """The worker and beat log with settings.LOGGING (core/logformat.py: key=value, the site's
    time zone) instead of Celery's own format; connecting this stops Celery configuring its own."""
    from django.conf import settings  # noqa: PLC0415 - settings are read once Celery starts

    from core.logformat import configure  # noqa: PLC0415 - with the settings, at start-up

    configure(settings.LOGGING)


def _ensure_filesystem_broker_folders() -> None:
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


if str(app.conf.broker_url or "").startswith("filesystem://"):
    _ensure_filesystem_broker_folders()
