"""Answers of read operations built from plain rows: the schema's output, without ninja's
per-item validation.

django-ninja validates an operation's result through its response schema, and a ninja
`Schema` wraps every object (every item of a page, every nested object) in a `DjangoGetter`
whose attribute lookups are Python calls: on a page of 20 products that, plus building model
instances, cost more than the query (bench/api_inprocess.py, #24 item 4). A read that already
holds plain rows (`values()` of the schema's columns) answers through `Rows` instead:

    PRODUCTS = Rows(MarketProductOut)

    @router.get("/market/products", response={200: Page[MarketProductOut], **ERRORS})
    def list_products(request, …):
        …
        return PRODUCTS.page(request, rows, next_cursor)

`Rows` validates the rows with a plain pydantic twin of the schema (the same fields, types,
aliases and defaults; no wrap validator, no `from_attributes`): one call into pydantic-core for
the whole list, which coerces exactly as the schema would, refuses a row the schema would
refuse (a server error, as before), ignores extra keys, and dumps the fields in the schema's
order. The answer is rendered by the API's own renderer. The operation keeps its `response=`
(the OpenAPI document is unchanged); tests hold each fast answer to the schema's own output
(`core/tests/test_api_rows.py`, the apps' API tests).
"""

from functools import cache
from typing import Any, Union, get_args, get_origin

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from .api import api


@cache
def twin(schema: type[BaseModel]) -> type[BaseModel]:
    """A plain pydantic model with `schema`'s fields (nested schemas twinned too)."""
    fields: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        copied = field._copy()  # keeps alias, validation_alias, default, constraints
        copied.annotation = _plain(field.annotation)
        fields[name] = (copied.annotation, copied)
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{schema.__name__}Row", __config__=ConfigDict(extra="ignore"), **fields
    )


def _plain(annotation: Any) -> Any:
    """`annotation` with every ninja `Schema` in it replaced by its twin."""
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return twin(annotation)
    args = get_args(annotation)
    if not args:
        return annotation
    plain = tuple(_plain(a) for a in args)
    if plain == args:
        return annotation
    origin = get_origin(annotation)
    if origin is list:
        return list[plain[0]]  # type: ignore[valid-type]
    if origin is Union or type(annotation).__name__ == "UnionType":
        return Union[plain]  # noqa: UP007 (a tuple of members)
    raise TypeError(f"Rows: cannot twin {annotation!r}")


class Rows:
    """The fast answers of one output schema (see the module's doc)."""

    def __init__(self, schema: type[BaseModel]) -> None:
        self.schema = schema
        self._many: TypeAdapter[Any] = TypeAdapter(list[twin(schema)])  # type: ignore[misc, arg-type]

    def dump(self, rows: list[Any]) -> list[dict[str, Any]]:
        """The rows as the schema outputs them (Python values; the renderer writes JSON)."""
        return self._many.dump_python(self._many.validate_python(rows))  # type: ignore[no-any-return]

    def many(self, request: HttpRequest, rows: list[Any]) -> HttpResponse:
        """A `list[schema]` answer."""
        return api.create_response(request, self.dump(rows), status=200)

    def one(self, request: HttpRequest, row: Any) -> HttpResponse:
        """A `schema` answer."""
        return api.create_response(request, self.dump([row])[0], status=200)

    def page(self, request: HttpRequest, rows: list[Any], next_cursor: str | None) -> HttpResponse:
        """A `Page[schema]` answer (`core.api_schemas.Page`: items, then next_cursor)."""
        body = {"items": self.dump(rows), "next_cursor": next_cursor}
        return api.create_response(request, body, status=200)


class Values:
    """The `values()` of a read's rows, set up once per process; each call answers a fresh
    clone, to which the request's scope, filters and order are added:

        SERIES_ROWS = Values(Series, *SERIES_COLUMNS, commodity_code=F("commodity__code"))
        rows = filters.filter(SERIES_ROWS().visible_to(request.user))

    Resolving the columns and the joins of their expressions is ORM work that is the same on
    every request (0.3–0.7 ms of a 1–2 ms read, #24 item 4, measured); cloning the prepared
    query skips it. The SQL is the one `queryset.values(…)` would give (tests). The template
    itself is never evaluated (it would keep its rows): only its clones are."""

    def __init__(self, model: type[Model], *fields: str, **expressions: Any) -> None:
        self.model, self.fields, self.expressions = model, fields, expressions
        self._template: QuerySet[Any] | None = None

    def __call__(self) -> Any:
        if self._template is None:  # first use: the apps are loaded by then
            manager = self.model._default_manager
            self._template = manager.values(*self.fields, **self.expressions)
        return self._template.all()
