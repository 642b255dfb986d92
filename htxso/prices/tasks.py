"""Celery tasks of prices (the worker finds them: `htxso/celery.py` autodiscovers this app)."""

from celery import shared_task


@shared_task(name="prices.forecast", acks_late=False)
def forecast(series_ids: list[int]) -> int:
    """Forecast and backtest these series (`prices.jobs.run`); how many were kept."""
    from .jobs import run

    return run(series_ids)
