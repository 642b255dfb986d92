"""The Celery application (production background jobs): `celery -A htxso.celery worker`.

The web process never imports this module unless JOBS_BACKEND is "celery"; the embedded default
runs jobs in a thread instead.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "htxso.settings")

app = Celery("htxso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["htxso.core", "htxso.prices"])
app.autodiscover_tasks(["htxso.tasks"], related_name="jobs")  # tasks.chase (beat)
