"""Production settings pass Django's deployment checklist (`check --deploy`) without warnings.

The suite runs with DEBUG on (the Makefile exports it), so the check runs in a subprocess with an
environment of its own: what an operator sets in production, nothing inherited.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "HTXSO_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "htxso.example.gov.vn",
        "CSRF_TRUSTED_ORIGINS": "https://htxso.example.gov.vn",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # named, not reached: the check reads settings
    }
    return {**env, **extra}


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "warning"),
    [
        ("SECURE_HSTS_SECONDS", "0", "security.W004"),
        ("SECURE_SSL_REDIRECT", "0", "security.W008"),
        ("SECURE_COOKIES", "0", "security.W012"),
        ("REDIS_URL", "", "htxso.W001"),  # throttling counts per worker without a shared cache
    ],
)
def test_an_insecure_override_fails_the_check(tmp_path, variable, value, warning):
    """The check above can fail: each production default is what keeps it quiet."""
    result = check_deploy(production_env(tmp_path, **{variable: value}))
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = check_deploy(env)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_proxy_ssl_header_is_read_as_a_pair(tmp_path):
    env = production_env(tmp_path)
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "htxso.settings", "PYTHONPATH": str(MANAGE.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


def test_the_command_says_what_to_set_instead_of_a_traceback(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-m", "htxso.cli", "import", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("htxso: Chưa đặt SECRET_KEY")
    assert "DEBUG=1" in result.stderr and "Traceback" not in result.stderr


def test_the_readme_commands_run_in_a_checkout_with_nothing_set(tmp_path):
    """After `make demo`, `htxso import --help` as the README writes it (no SECRET_KEY, DEBUG or
    DATABASE_URL in the environment) ran into "SECRET_KEY must be set" (#16): a checkout runs as
    development, like make and manage.py, and says so in one line."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "HTXSO_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "htxso.cli", "import", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: htxso import")
    assert "DEBUG=1" in result.stderr and "Traceback" not in result.stderr


def test_a_server_environment_is_never_taken_for_a_checkout(tmp_path):
    # DATABASE_URL set (a server) without SECRET_KEY: the sentence, not development mode.
    env = production_env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused")
    del env["SECRET_KEY"], env["DEBUG"]
    result = subprocess.run(
        [sys.executable, "-m", "htxso.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("htxso: Chưa đặt SECRET_KEY")
