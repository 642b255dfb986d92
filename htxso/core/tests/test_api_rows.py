"""`core.api_rows`: plain rows answered as the schema answers them (ninja's validation and
dump, then the API's renderer), without ninja's per-item Python."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from ninja import Field, Schema
from pydantic import ValidationError

from htxso.core.api import api
from htxso.core.api_rows import Rows, twin


class Inner(Schema):
    id: int
    province: str
    attendance: int | None


class Outer(Schema):
    id: int
    code: str = Field(validation_alias="province_id")
    value: Decimal
    share: float
    day: dt.date
    at: dt.datetime | None
    flag: bool
    lines: list[str]
    inner: list[Inner]
    note: str | None = Field(None, description="optional")


ROW = {
    "id": 7,
    "province_id": "19",
    "value": Decimal("118000.0000"),
    "share": Decimal("12.5"),  # coerced to a float, as the schema does
    "day": dt.date(2025, 4, 5),
    "at": dt.datetime(2025, 4, 5, 8, 30, tzinfo=dt.UTC),
    "flag": True,
    "lines": ["a", "b"],
    "inner": [{"id": 1, "province": "01", "attendance": None, "extra": "dropped"}],
    "name_key": "not in the schema",
}


def _ninja(schema: type[Schema], obj: object) -> object:
    """What an operation answering `obj` through `response=schema` writes."""
    dumped = schema.model_validate(obj).model_dump()
    return json.loads(api.renderer.render(None, dumped, response_status=200))  # type: ignore[arg-type]


def test_a_row_is_answered_as_the_schema_answers_it():
    ours = json.loads(api.renderer.render(None, Rows(Outer).dump([ROW])[0], response_status=200))  # type: ignore[arg-type]
    assert ours == _ninja(Outer, ROW)
    assert list(ours) == list(Outer.model_fields)  # the schema's order
    assert ours["value"] == "118000.0000" and ours["share"] == 12.5 and ours["note"] is None
    assert ours["inner"] == [{"id": 1, "province": "01", "attendance": None}]


def test_a_row_the_schema_refuses_is_refused():
    with pytest.raises(ValidationError):
        Rows(Outer).dump([{**ROW, "day": None}])
    with pytest.raises(ValidationError):
        Rows(Outer).dump([{k: v for k, v in ROW.items() if k != "province_id"}])


def test_the_twin_has_no_ninja_validator_and_is_made_once():
    assert twin(Outer) is twin(Outer)
    assert not issubclass(twin(Outer), Schema)
    inner = twin(Outer).model_fields["inner"].annotation
    assert not issubclass(inner.__args__[0], Schema)  # type: ignore[union-attr]


def test_the_answers_shapes(rf):
    request = rf.get("/api/v1/x")
    rows = Rows(Inner)
    one = {"id": 1, "province": "01", "attendance": 3}
    assert json.loads(rows.many(request, [one]).content) == [one]
    assert json.loads(rows.one(request, one).content) == one
    page = rows.page(request, [one], "abc")
    assert page.status_code == 200 and page["Content-Type"].startswith("application/json")
    assert json.loads(page.content) == {"items": [one], "next_cursor": "abc"}
