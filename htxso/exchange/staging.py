"""Where a member import keeps its checked rows: a working table named for the import
(`Stage`), and the organisations the importer may add members to (`Organisations`)."""

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from htxso.core.bulk import write_rows
from htxso.core.mst import normalise_tax_code
from htxso.registry import services
from htxso.registry.models import Organisation

STAGE_COLUMNS = (
    ("row_no", "integer"),
    ("cccd", "varchar(12)"),
    ("full_name", "varchar(120)"),
    ("gender", "varchar(8)"),
    ("birth_year", "integer"),
    ("birth_date", "date"),
    ("phone", "varchar(20)"),
    ("email", "varchar(254)"),
    ("province_id", "varchar(2)"),
    ("commune_id", "varchar(5)"),
    ("address", "varchar(255)"),
    ("legacy_address", "varchar(400)"),
    ("org_id", "bigint"),
    ("org_province", "varchar(2)"),
    ("kind", "varchar(20)"),
    ("joined_on", "date"),
    ("capital", "bigint"),
    ("left_on", "date"),
)


@dataclass(frozen=True)
class OrgInfo:
    id: int
    kind: str
    province_id: str
    established_on: dt.date


@lru_cache(maxsize=300_000)
def _tax_code(value: str) -> str:
    return normalise_tax_code(value)


class Organisations:
    """The organisations an actor may add members to, by tax code and by id (one query)."""

    def __init__(self, actor: Any) -> None:
        scope = (
            Organisation.objects.all() if actor is None else Organisation.objects.editable_by(actor)
        )
        self.by_id: dict[int, OrgInfo] = {}
        self.by_tax: dict[str, OrgInfo] = {}
        for pk, tax, kind, province, established in scope.values_list(
            "id", "tax_code", "kind", "province_id", "established_on"
        ).iterator(chunk_size=20_000):
            info = OrgInfo(pk, kind, province, established)
            self.by_id[pk] = info
            if tax:
                self.by_tax[tax] = info
        self._outside: dict[Any, bool] = {}

    def find(self, tax_code: str | None, org_id: Any) -> OrgInfo:
        info = None
        if tax_code:
            try:
                tax_code = _tax_code(tax_code)
            except ValidationError as exc:
                raise ValidationError({"organisation_tax_code": exc.messages}) from None
            info = self.by_tax.get(tax_code)
            key: Any = ("tax", tax_code)
            lookup: dict[str, Any] = {"tax_code": tax_code}
            field_name = "organisation_tax_code"
        else:
            try:
                number = int(str(org_id).strip())
            except ValueError:
                raise ValidationError({"organisation_id": _("Mã tổ chức phải là số.")}) from None
            info = self.by_id.get(number)
            key, lookup, field_name = ("id", number), {"pk": number}, "organisation_id"
        if info is not None:
            if org_id not in (None, "") and tax_code and str(info.id) != str(org_id).strip():
                raise ValidationError(
                    {"organisation_id": _("Mã tổ chức không khớp với mã số thuế.")}
                )
            return info
        if key not in self._outside:
            self._outside[key] = Organisation.objects.filter(**lookup).exists()
        if self._outside[key]:
            raise ValidationError({field_name: _("Bạn không có quyền thay đổi tổ chức này.")})
        raise ValidationError({field_name: _("Không tìm thấy tổ chức trong cơ sở dữ liệu.")})


class Stage:
    """The table the checked rows are streamed into, named for this import.

    On PostgreSQL it is an unlogged table, not a temporary one: PostgreSQL scans those with
    parallel workers (the duplicate checks and the writes read it whole). It is created inside
    the import's transaction, so a rollback or a killed process takes it away with the rest."""

    def __init__(self) -> None:
        suffix = secrets.token_hex(4)
        self.names = services.MemberStage(f"member_stage_{suffix}", f"member_first_{suffix}")
        columns = ", ".join(f"{name} {sql_type}" for name, sql_type in STAGE_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE {working_table()} {self.names.rows} ({columns})")
        self.batch: list[tuple] = []
        self.count = 0

    def add(self, row: tuple) -> None:
        self.batch.append(row)
        if len(self.batch) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.count += write_rows(self.names.rows, [c for c, _t in STAGE_COLUMNS], self.batch)
            self.batch = []

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.names.first}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.names.rows}")


def working_table() -> str:
    """How an import's working tables are created (see `Stage`)."""
    return "UNLOGGED TABLE" if connection.vendor == "postgresql" else "TEMPORARY TABLE"
