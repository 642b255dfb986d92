"""Celery tasks of core (the worker imports this module): every job runs through one task."""

from celery import shared_task


@shared_task(name="core.run_job", acks_late=False)
def run_job(label: str, job_id: int) -> str:
    """Run job `job_id` of the model `label` ("exchange.ImportJob") — `core.jobs.execute`."""
    from .jobs import execute

    return execute(label, job_id)
