"""The tax authority's side of registration: issuing the tax code (MST) of a new HTX, union or
household business — on the certificate, an HTX's code is its tax code.

The boundary is `TaxCodeIssuer`: `issue(application)` returns a valid 10-digit MST, unique in
the registry, inside the caller's transaction (a refusal raises and the approval rolls back).
`settings.REGISTRATION_TAX_CODE_ISSUER` names the implementation (a dotted path). The embedded
one, `RangeIssuer`, hands out the numbers of `settings.REGISTRATION_TAX_CODE_RANGE` (nine-digit
prefixes; the tenth digit is the check digit of `core.mst`, prefixes without one are skipped) in
order, under a row lock. A connector to the tax authority's system replaces it by implementing
the same method; it must be idempotent per application (a retried approval asks again)."""

from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from htxso.core.mst import check_digit, normalise_tax_code
from htxso.registry.models import Organisation

from .models import CodeCounter


class TaxCodeIssuer(Protocol):
    def issue(self, application: Any) -> str: ...


class RangeIssuer:
    """Valid, unique MST from a configured range (no network: the embedded implementation)."""

    counter = "tax_code"

    def issue(self, application: Any) -> str:
        first, last = (int(v) for v in settings.REGISTRATION_TAX_CODE_RANGE)
        row, _created = CodeCounter.objects.select_for_update().get_or_create(
            name=self.counter, defaults={"next_value": first}
        )
        value = max(row.next_value, first)
        while value <= last:
            prefix = f"{value:09d}"
            value += 1
            digit = check_digit(prefix)
            if digit is None:
                continue
            try:
                code = normalise_tax_code(f"{prefix}{digit}")
            except ValidationError:  # a serial of zeros: not a code the tax authority issues
                continue
            if not Organisation.objects.filter(tax_code=code).exists():
                row.next_value = value
                row.save(update_fields=["next_value"])
                return code
        raise ValidationError(_("Đã hết dải mã số thuế được cấp; xin liên hệ cơ quan thuế."))


def issuer() -> TaxCodeIssuer:
    return import_string(settings.REGISTRATION_TAX_CODE_ISSUER)()


def next_number(name: str, prefix: str, width: int = 6) -> str:
    """The next number of a sequence: `prefix` + zero-padded counter. One statement (the
    UPDATE takes the row's lock and returns the number, PostgreSQL and SQLite ≥ 3.35); the
    counter's first use creates its row under a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CodeCounter._meta.db_table} SET next_value = next_value + 1 "
            "WHERE name = %s RETURNING next_value - 1",
            [name],
        )
        taken = cursor.fetchone()
    if taken is not None:
        return f"{prefix}{taken[0]:0{width}d}"
    row, _created = CodeCounter.objects.select_for_update().get_or_create(
        name=name, defaults={"next_value": 1}
    )
    value = row.next_value
    row.next_value = value + 1
    row.save(update_fields=["next_value"])
    return f"{prefix}{value:0{width}d}"
