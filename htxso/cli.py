"""The `htxso` command: Django's management commands under the project's name.

`htxso generate --scale demo --seed 1` is `python manage.py generate --scale demo --seed 1`.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "htxso.settings")
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
