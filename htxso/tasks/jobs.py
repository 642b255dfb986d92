"""Celery task of the follow-up (production): Celery beat runs `tasks.chase` daily."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="tasks.chase")
def chase_daily() -> dict[str, int]:
    from .chasing import chase

    return chase(timezone.localdate())
