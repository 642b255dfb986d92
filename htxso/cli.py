"""The `htxso` command: Django's management commands under the project's name.

`htxso generate --scale demo --seed 1` is `python manage.py generate --scale demo --seed 1`.

Run as the README writes it in a checkout (after `make demo`: no SECRET_KEY, no DEBUG, no
DATABASE_URL set — the embedded SQLite database under var/), it runs as development, like `make`
and manage.py (DEBUG=1), and says so in one line. Wherever one of them is set (a server), the
environment decides alone; a missing SECRET_KEY is then said in one sentence, not a traceback.
"""

import os
import sys
from collections.abc import MutableMapping

DEVELOPMENT_NOTE = (
    "htxso: chạy ở chế độ phát triển (DEBUG=1) vì chưa đặt SECRET_KEY, DEBUG, DATABASE_URL; "
    "development mode (DEBUG=1): SECRET_KEY, DEBUG and DATABASE_URL are not set."
)


def development_checkout(environ: MutableMapping[str, str]) -> bool:
    """Whether this is a development checkout's run (nothing of a server's environment set);
    if so, DEBUG=1 as the Makefile sets it."""
    if any(name in environ for name in ("SECRET_KEY", "DEBUG", "DATABASE_URL")):
        return False
    environ["DEBUG"] = "1"
    return True


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "htxso.settings")
    if development_checkout(os.environ):
        print(DEVELOPMENT_NOTE, file=sys.stderr)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    try:
        execute_from_command_line(["htxso", *args])
    except ImproperlyConfigured as exc:  # a setting to make, said in a sentence, not a traceback
        print(f"htxso: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
