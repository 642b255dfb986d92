#!/usr/bin/env python
"""The development entry point: DEBUG defaults to on here (so a fresh checkout can run
`python manage.py makemigrations` without a SECRET_KEY). Production runs `htxso …` or
gunicorn with the environment set, where DEBUG stays off unless asked for."""

import os
import sys

from htxso.cli import main

if __name__ == "__main__":
    os.environ.setdefault("DEBUG", "1")
    main(sys.argv[1:])
