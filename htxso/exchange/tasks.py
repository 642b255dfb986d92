"""Celery tasks of the exchange app (the worker imports this module)."""

from celery import shared_task


@shared_task(name="exchange.run_import", acks_late=False)
def run_import(job_id: int) -> str:
    from .jobs import execute

    return execute(job_id)
