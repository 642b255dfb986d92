"""Registration over HTTP with the registry at scale (issue #18, item 7): issuing a certificate
(the office's approval: the organisation, its members and memberships through the registry's
services, the tax code, the certificate — one transaction) and the public verification page
opened by the certificate's QR code, against a bare Django view reading the same row.

    .venv/bin/python bench/registration.py [--scale national-2030] [--rounds 3] [--warmup 6]
                                           [--approvals 40] [--verifications 300] [--workers 2]

Set-up (not timed): applications of cooperatives in Thái Nguyên, each with 5 founding members
and its dossier's files, submitted and taken, through the services. Each round then, against
gunicorn (DEBUG off, the e-mail backend a dummy, --workers), with one keep-alive client:
  - issue: POST /registration/<id>/decide/approve/ as the provincial officer (signed in), one
    application after another; then GET of each new certificate's PDF;
  - verify: GET /registration/verify/<signed token>/ of random issued certificates, interleaved
    with the bare view GET /bench/bare/certificates/<serial>/<code> (bench/registration_urls.py).
Warm-up (not counted, said in the result): before the first round, --warmup approvals (each
worker's first approval loads code paths, 2.6–5 s), their PDFs and 50 verification/bare pairs.
With 40 approvals a round's p95 is its 39th (interpolated), not its slowest.
Reported: medians over rounds of each side's p50/p95, and ratio verify p95 / bare p95 (measured
in the same rounds). Goals: issue p95 ≤ 500 ms; verification p95 ≤ 30 ms and ≤ 2× the bare.
"""

import argparse
import http.client
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

BENCH = Path(__file__).resolve().parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def prepare(count: int, stamp: str) -> list[tuple[int, int]]:
    """`count` cooperatives' applications taken by the office, ready to approve: (id, version)."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from htxso.core.cccd import encode_cccd
    from htxso.core.models import Commune, User
    from htxso.core.roles import Role
    from htxso.registration import decisions, rules, services

    founder, _new = User.objects.get_or_create(
        username="bench-nop-ho-so", defaults={"role": Role.APPLICANT}
    )
    commune = Commune.objects.filter(province_id="19").order_by("code")[0]
    rule = rules.load().for_kind("cooperative")
    ready = []
    for n in range(count):
        a = services.start(
            founder,
            "cooperative",
            "19",
            name=f"Hợp tác xã Đo Hiệu Năng {stamp}-{n}",
            sector="A",
            commune_id=commune.pk,
            street="Xóm Thử",
            charter_capital=300_000_000,
            legal_representative="Nguyễn Văn Đo",
        )
        for i in range(5):
            a.refresh_from_db()
            serial = (int(stamp[-6:]) * 1000 + n * 5 + i) % 10**6
            services.add_member(
                founder,
                a.pk,
                a.version,
                encode_cccd("19", "male", 1970 + i, serial),
                f"Trần Văn Đo {i}",
                dt.date(1970 + i, 1, 1),
            )
        for document in rule.documents:
            a.refresh_from_db()
            services.upload(
                founder, a.pk, a.version, document.code, ContentFile(PDF), f"{document.code}.pdf"
            )
        a.refresh_from_db()
        a = services.submit(founder, a.pk, a.version)
        a = decisions.take(None, a.pk, a.version)
        ready.append((a.pk, a.version))
    return ready


def clean_up(database_url: str) -> None:
    """Remove what earlier runs added (their applications, certificates and organisations), so
    the registry is again the generated one the harness recognises (it counts organisations)."""
    harness.setup_django(database_url)
    from django.db import connection, transaction

    if "registration_certificate" not in connection.introspection.table_names():
        return
    from htxso.registration.models import Application, Certificate
    from htxso.registry import aggregates
    from htxso.registry.models import Membership, Organisation

    with transaction.atomic():
        ours = Application.objects.filter(applicant__username="bench-nop-ho-so")
        organisations = list(ours.exclude(organisation=None).values_list("organisation", flat=True))
        Certificate.objects.filter(organisation_id__in=organisations).delete()
        ours.delete()
        Membership.objects.filter(organisation_id__in=organisations).delete()
        Organisation.objects.filter(pk__in=organisations).delete()
        if organisations:
            aggregates.refresh(["19"])


def officer_password() -> str:
    """The provincial officer of 19 the benchmark signs in as, with a fresh password."""
    from htxso.core.models import User
    from htxso.core.roles import Role

    officer, _new = User.objects.get_or_create(
        username="bench-can-bo-19",
        defaults={"role": Role.PROVINCIAL_OFFICER, "province_id": "19"},
    )
    password = secrets.token_hex(16)
    officer.set_password(password)
    officer.locked_at = None
    officer.failed_logins = 0
    officer.save()
    return password


class Client:
    def __init__(self, base: str, cookie: str = "") -> None:
        url = urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=300)
        self.cookie = cookie
        self.last_cookies = ""

    def sign_in(self, username: str, password: str) -> str:
        """Sign in through the login page; the CSRF secret for later forms."""
        self.conn.request("GET", "/accounts/login/")
        response = self.conn.getresponse()
        response.read()
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        assert csrf is not None, "the login page sets the CSRF cookie"
        self.cookie = f"csrftoken={csrf.group(1)}"
        body = urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": csrf.group(1)}
        )
        self.timed("POST", "/accounts/login/", body, 302)
        session = re.search(r"sessionid=([^;]+)", self.last_cookies)
        assert session is not None, "signed in"
        self.cookie += f"; sessionid={session.group(1)}"
        return csrf.group(1)

    def timed(self, method: str, path: str, body: str = "", expect: int = 200) -> float:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body or None, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        self.last_cookies = response.getheader("Set-Cookie") or ""
        elapsed = time.perf_counter() - started
        if response.status != expect:
            raise RuntimeError(f"{method} {path}: HTTP {response.status} {content[:300]!r}")
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=harness.DEFAULT_URL)
    parser.add_argument("--scale", default="national-2030")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--approvals", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=6)
    parser.add_argument("--verifications", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    media = tempfile.mkdtemp(prefix="bench-registration-")
    import os

    os.environ["MEDIA_ROOT"] = media
    # The server's key (harness.gunicorn): the session made here and the certificates' signed
    # tokens must be read there.
    os.environ["SECRET_KEY"] = "bench-only-secret-key-not-for-production"
    clean_up(args.database_url)
    dataset = harness.ensure_dataset(args.database_url, args.scale, args.seed)
    from htxso.registration import certificate as certificates
    from htxso.registration.models import Certificate

    stamp = time.strftime("%H%M%S")
    print(f"Preparing {args.warmup + args.rounds * args.approvals} applications…", flush=True)
    ready = prepare(args.warmup + args.rounds * args.approvals, stamp)
    warmup, ready = ready[: args.warmup], ready[args.warmup :]
    password = officer_password()
    env = {
        "MEDIA_ROOT": media,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "ROOT_URLCONF": "registration_urls",
        "PYTHONPATH": f"{harness.ROOT}{os.pathsep}{BENCH}",
    }
    rounds = []
    with harness.gunicorn(args.database_url, args.workers, env=env) as base:
        office, public = Client(base), Client(base)
        for _ in range(4):  # both workers load the application (imports, templates) first
            public.timed("GET", "/registration/lookup/")
        csrf = office.sign_in("bench-can-bo-19", password)
        office.timed("GET", "/registration/queue/")
        # Warm-up, not counted: every worker's first approval, PDF and verification.
        for pk, version in warmup:
            body = f"version={version}&csrfmiddlewaretoken={csrf}"
            office.timed("POST", f"/registration/{pk}/decide/approve/", body, 302)
        for c in Certificate.objects.filter(application_id__in=[p for p, _ in warmup]):
            office.timed("GET", f"/registration/certificates/{c.serial}.pdf")
            for _ in range(25):
                public.timed("GET", f"/registration/verify/{certificates.token(c)}/")
                public.timed("GET", f"/bench/bare/certificates/{c.serial}/{c.code}")
        for r in range(args.rounds):
            issue: list[float] = []
            pdf: list[float] = []
            verify: list[float] = []
            bare: list[float] = []
            batch = ready[r * args.approvals : (r + 1) * args.approvals]
            for pk, version in batch:
                body = f"version={version}&csrfmiddlewaretoken={csrf}"
                issue.append(office.timed("POST", f"/registration/{pk}/decide/approve/", body, 302))
            issued = list(Certificate.objects.filter(application_id__in=[p for p, _ in batch]))
            assert len(issued) == len(batch), "every approval issued its certificate"
            for c in issued:
                pdf.append(office.timed("GET", f"/registration/certificates/{c.serial}.pdf"))
            sample = list(
                Certificate.objects.filter(superseded_at__isnull=True).order_by("?")[:200]
            )
            for _ in range(args.verifications):
                c = random.choice(sample)
                token = certificates.token(c)
                pair = [
                    (verify, f"/registration/verify/{token}/"),
                    (bare, f"/bench/bare/certificates/{c.serial}/{c.code}"),
                ]
                random.shuffle(pair)
                for into, path in pair:
                    into.append(public.timed("GET", path))
            result: dict[str, Any] = {
                "issue": harness.summary_ms(issue),
                "certificate_pdf": harness.summary_ms(pdf),
                "verify": harness.summary_ms(verify),
                "bare": harness.summary_ms(bare),
            }
            result["ratio_verify_to_bare_p95"] = round(
                result["verify"]["p95_ms"] / result["bare"]["p95_ms"], 2
            )
            print(f"round {r + 1}: {result}", flush=True)
            rounds.append(result)

    def median(side: str, key: str) -> float:
        return round(statistics.median(x[side][key] for x in rounds), 2)

    summary: dict[str, Any] = {
        side: {"p50_ms": median(side, "p50_ms"), "p95_ms": median(side, "p95_ms")}
        for side in ("issue", "certificate_pdf", "verify", "bare")
    }
    summary["ratio_verify_to_bare_p95"] = round(
        statistics.median(x["ratio_verify_to_bare_p95"] for x in rounds), 2
    )
    summary["goals"] = {
        "issue_p95_le_500ms": summary["issue"]["p95_ms"] <= 500,
        "verify_p95_le_30ms": summary["verify"]["p95_ms"] <= 30,
        "verify_le_2x_bare": summary["ratio_verify_to_bare_p95"] <= 2,
    }
    written = harness.write_result(
        "registration",
        {
            "dataset": dataset,
            "certificates": Certificate.objects.count(),
            "args": vars(args),
            "warmup": f"{args.warmup} approvals, their PDFs and verification/bare pairs before "
            "round 1, not counted",
            "summary": summary,
            "rounds": rounds,
        },
    )
    print(f"summary: {summary}\nwritten to {written}")


if __name__ == "__main__":
    main()
