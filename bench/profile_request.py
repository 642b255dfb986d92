"""Where a request's time goes: cProfile over many requests through Django's WSGI handler.

Runs in one process with DEBUG off (as gunicorn serves), against the database given, and splits
the time of each page into the parts the issue names: middleware (each one's own work), session
and auth, template rendering, translation (gettext), SQL (time inside the database driver) and
the rest of the view. The same requests are then timed without the profiler (per-request mean).

    .venv/bin/python bench/profile_request.py --database-url URL [--requests 300] [--top 25]
        [--path "/registry/?q=0100" --path "/api/v1/organisations/1"]

No HTTP or server: this is the handler's own cost, the part a faster server would not remove.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = ["/registry/?q=0100", "/registry/?q=nguyen+van", "/api/v1/organisations/{id}"]

# (label, predicate on a pstats key (file, line, function)) — cumulative time of the outermost
# matching frames; parts can overlap (e.g. SQL inside template rendering), reported as such.
PARTS: list[tuple[str, str, str]] = [
    ("SQL (driver execute + fetch)", "django/db/backends/utils.py", "_execute"),
    ("SQL fetch/iteration", "django/db/models/sql/compiler.py", "results_iter"),
    ("templates (render)", "django/template/backends/django.py", "render"),
    ("context processors", "django/template/context.py", "bind_template"),
    ("gettext (translation lookups)", "django/utils/translation/trans_real.py", "gettext"),
    ("session middleware", "django/contrib/sessions/middleware.py", "process_response"),
    ("locale middleware (request)", "django/middleware/locale.py", "process_request"),
    ("locale middleware (response)", "django/middleware/locale.py", "process_response"),
    ("csrf middleware (response)", "django/middleware/csrf.py", "process_response"),
    ("auth: user lookup", "django/contrib/auth/__init__.py", "get_user"),
    ("view + template response (all below)", "django/core/handlers/base.py", "_get_response"),
    ("whole handler", "django/core/handlers/wsgi.py", "__call__"),
    ("url resolving", "django/urls/resolvers.py", "resolve"),
]


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("OTP_REQUIRED_ROLES", "")
    # The API's throttle would refuse a client this fast (item 2 of #24 measures it on its own).
    os.environ.setdefault("API_RATE_ANONYMOUS", "1000000000/s")
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "htxso.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest, as served


def request(handler: Any, path: str) -> int:
    from django.test import RequestFactory

    environ = RequestFactory(HTTP_ACCEPT_LANGUAGE="vi").get(path).environ
    status: list[str] = []
    body = handler(environ, lambda s, h, *a: status.append(s))
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0])


def parts(stats: pstats.Stats) -> dict[str, float]:
    table = stats.stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for label, file, function in PARTS:
        total = 0.0
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in table.items():
            if filename.endswith(file) and name == function:
                total = max(total, ct)  # the outermost frame holds the whole (recursion)
        out[label] = total
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime or cumulative")
    parser.add_argument(
        "--timing-only", action="store_true", help="only the unprofiled medians (for A/B runs)"
    )
    parser.add_argument("--path", action="append", help="paths to profile ({id}: an organisation)")
    args = parser.parse_args()
    setup(args.database_url)
    from django.core.handlers.wsgi import WSGIHandler

    from htxso.registry.models import Organisation

    org = Organisation.objects.order_by("id").values_list("id", flat=True).first()
    handler = WSGIHandler()
    for template in args.path or DEFAULT_PATHS:
        path = template.format(id=org)
        for _ in range(20):  # warm caches, connections, templates
            status = request(handler, path)
        if status != 200:
            sys.exit(f"{path}: HTTP {status}")
        plain = []
        for _ in range(args.requests):
            started = time.perf_counter()
            request(handler, path)
            plain.append(time.perf_counter() - started)
        if args.timing_only:
            print(f"{path}\t{statistics.median(plain) * 1000:.3f}", flush=True)
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            request(handler, path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = sum(tt for (_cc, _nc, tt, _ct, _c) in stats.stats.values())  # type: ignore[attr-defined]
        print(f"\n== {path}: {statistics.median(plain) * 1000:.2f} ms median unprofiled")
        print(f"   profiled total {total / args.requests * 1000:.2f} ms/request; parts:")
        for label, seconds in parts(stats).items():
            per = seconds / args.requests * 1000
            print(f"   {label:34} {per:6.2f} ms  {seconds / total * 100:5.1f} %")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print("\n".join(out.getvalue().splitlines()[6:]))


if __name__ == "__main__":
    main()
