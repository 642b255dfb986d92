"""A real Celery worker (Redis broker, PostgreSQL) killed with SIGKILL in the middle of writing an
import: no row of the file survives, the job is reported failed, and a re-run succeeds."""

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from htxso.core.cccd import encode_cccd
from htxso.exchange import jobs
from htxso.exchange.layouts import MEMBER_LAYOUT
from htxso.exchange.models import ImportJob, JobStatus
from htxso.registry.models import Membership, Person
from htxso.registry.tests.factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[3]
REDIS = ("127.0.0.1", 6379)
ROWS = 60_000


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379"),
]


def _members_file(tax_codes: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.header) for c in MEMBER_LAYOUT.columns])
    keys = [c.key for c in MEMBER_LAYOUT.columns]
    for i in range(ROWS):
        row = dict.fromkeys(keys, "")
        row.update(
            organisation_tax_code=tax_codes[i % len(tax_codes)],
            cccd=encode_cccd("19", "female" if i % 2 else "male", 1960 + i % 40, i),
            full_name=f"Người Thử {i}",
            member_kind="Thành viên chính thức",
            joined_on="01/06/2020",
            capital_contributed="1.000.000",
        )
        writer.writerow([row[k] for k in keys])
    return out.getvalue().encode()


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(media: Path, broker: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "MEDIA_ROOT": str(media),
        "JOB_HEARTBEAT": "0.5",
        "DEBUG": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "htxso.celery", "worker", "--pool=solo",
         "--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-Q", "celery", "-l", "warning"],
        cwd=ROOT, env=env, stdout=open(media / "worker.log", "ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait(predicate, seconds: float, step: float = 0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def _writing() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
            "AND (query LIKE 'INSERT INTO registry_person%%' "
            "OR query LIKE 'INSERT INTO registry_membership%%')"
        )
        return cursor.fetchone() is not None


def test_kill_9_mid_import_leaves_nothing_and_rerun_succeeds(transactional_db, settings, tmp_path):
    from celery import Celery

    from htxso.core.tests.units_snapshot import restore_units

    restore_units()  # transactional tests start from flushed tables
    broker = f"redis://{REDIS[0]}:{REDIS[1]}/15"
    settings.MEDIA_ROOT = tmp_path
    settings.JOBS_BACKEND = "celery"
    settings.JOB_STALE = 2
    Celery(broker=broker).connection_for_write().default_channel.client.flushdb()
    from htxso.celery import app

    app.conf.broker_url = broker
    organisations = [OrganisationFactory(province_id="19") for _ in range(20)]
    job = ImportJob(kind="members", strategy="create", filename="thanh-vien.csv", sha256="-")
    job.file.save("thanh-vien.csv", ContentFile(_members_file([o.tax_code for o in organisations])))
    job.save()

    worker = _start_worker(tmp_path, broker)
    try:
        jobs.submit(job, commit=True)
        reached = _wait(_writing, 120)
        job.refresh_from_db()
        assert reached, (
            job.status,
            job.message,
            list(job.issues.values_list("row", "column", "value", "message")[:5]),
        )
        os.kill(worker.pid, signal.SIGKILL)  # mid-INSERT, inside the import's transaction
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()

    # PostgreSQL aborts the dead client's transaction: none of the file's rows exist.
    assert _wait(lambda: not _writing(), 30, 0.2) is not None
    assert Person.objects.count() == 0
    assert Membership.objects.count() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTING  # nobody has noticed yet…
    time.sleep(settings.JOB_STALE + 0.5)
    assert jobs.reap() == 1  # …until its heartbeat is found stale
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "dừng đột ngột" in job.message

    worker = _start_worker(tmp_path, broker)
    try:
        jobs.submit(job, commit=True)  # the page's "Chạy lại"
        done = _wait(
            lambda: ImportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists(), 240, 0.5
        )
    finally:
        worker.terminate()
        worker.wait(30)
    job.refresh_from_db()
    assert done, (job.status, job.message)
    assert job.attempts == 2
    assert Person.objects.count() == ROWS
    assert Membership.objects.count() == ROWS
    assert job.summary["memberships"]["created"] == ROWS
