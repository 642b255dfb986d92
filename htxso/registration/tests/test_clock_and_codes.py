"""The deadline clock in working days (stopped for corrections, restarted or resumed as the
rules say) and the embedded tax-code issuer (valid, unique, its range exhausted → nothing)."""

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from htxso.core.mst import normalise_tax_code
from htxso.registration import decisions, rules, services, workflow
from htxso.registration.models import Application, Status
from htxso.registration.tax_authority import RangeIssuer
from htxso.registry.models import Organisation

from .conftest import complete


def _on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(workflow, "today", lambda: day)
    monkeypatch.setattr(services, "today", lambda: day)
    monkeypatch.setattr(decisions, "today", lambda: day)


def _with_clock(monkeypatch, mode: str) -> None:
    loaded = rules.load()
    kinds = {
        k: dataclasses.replace(r, clock_after_correction=mode) for k, r in loaded.kinds.items()
    }
    changed = dataclasses.replace(loaded, kinds=kinds)
    monkeypatch.setattr(rules, "load", lambda *a: changed)


def _fresh(a: Application) -> Application:
    a.refresh_from_db()
    return a


def _returned_on(monkeypatch, founder, office, received: dt.date, returned: dt.date) -> Application:
    application = complete(founder)
    _on(monkeypatch, received)
    services.submit(founder, application.pk, application.version)
    decisions.take(office, application.pk, _fresh(application).version)
    _on(monkeypatch, returned)
    decisions.ask_corrections(office, application.pk, _fresh(application).version, "Thiếu chữ ký")
    return _fresh(application)


def test_received_before_tet_the_deadline_is_after_it(monkeypatch, founder):
    application = complete(founder)
    _on(monkeypatch, dt.date(2026, 2, 12))
    submitted = services.submit(founder, application.pk, application.version)
    assert submitted.received_on == dt.date(2026, 2, 12)
    assert submitted.due_on == dt.date(2026, 2, 24)  # 13/2, then Tết and two weekends


def test_corrections_restart_the_clock_in_full(monkeypatch, founder, office_19):
    _with_clock(monkeypatch, "restart")
    returned = _returned_on(
        monkeypatch, founder, office_19, dt.date(2026, 3, 2), dt.date(2026, 3, 4)
    )
    assert returned.due_on is None and returned.working_days_used == 2
    _on(monkeypatch, dt.date(2026, 3, 10))
    again = services.submit(founder, returned.pk, returned.version)
    assert again.received_on == dt.date(2026, 3, 10) and again.due_on == dt.date(2026, 3, 13)


def test_corrections_resume_the_clock_where_it_stopped(monkeypatch, founder, office_19):
    _with_clock(monkeypatch, "resume")
    returned = _returned_on(
        monkeypatch, founder, office_19, dt.date(2026, 3, 2), dt.date(2026, 3, 4)
    )
    _on(monkeypatch, dt.date(2026, 3, 6))  # a Friday: one working day is left
    again = services.submit(founder, returned.pk, returned.version)
    assert again.received_on == dt.date(2026, 3, 2) and again.due_on == dt.date(2026, 3, 9)
    assert again.status == Status.RESUBMITTED


def test_the_issuer_skips_codes_without_a_check_digit_and_codes_in_use(db, settings):
    settings.REGISTRATION_TAX_CODE_RANGE = ("970000001", "970000050")
    issued = [RangeIssuer().issue(None) for _ in range(5)]
    assert len(set(issued)) == 5 and all(normalise_tax_code(c) == c for c in issued)
    assert issued == sorted(issued)


def test_an_exhausted_range_refuses_the_approval_and_writes_nothing(founder, office_19, settings):
    settings.REGISTRATION_TAX_CODE_RANGE = ("970000000", "970000000")  # a serial of zeros only
    application = complete(founder)
    services.submit(founder, application.pk, application.version)
    decisions.take(office_19, application.pk, _fresh(application).version)
    with pytest.raises(ValidationError, match="hết dải mã số thuế"):
        decisions.approve(office_19, application.pk, _fresh(application).version)
    assert not Organisation.objects.exists() and _fresh(application).status == Status.IN_REVIEW
