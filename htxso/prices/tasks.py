"""Celery tasks of prices (the worker finds them: `htxso/celery.py` autodiscovers this app)."""

from celery import shared_task


@shared_task(name="prices.forecast", acks_late=False)
def forecast(series_ids: list[int]) -> int:
    """Forecast and backtest these series (`prices.jobs.run`); how many were kept."""
    from .jobs import run

    return run(series_ids)


@shared_task(name="prices.ingest_market", acks_late=False)
def ingest_market() -> dict[str, int]:
    """The marketplace's monthly median prices (`prices.sales.ingest`); Celery beat, daily."""
    from dataclasses import asdict

    from .sales import ingest

    return asdict(ingest())
