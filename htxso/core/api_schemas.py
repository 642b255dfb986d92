"""What every app's API shares: the error shape, a page of a list, a request body that refuses
unknown fields, bounded ids. Apps' `schemas.py` build on these (`registry`, `reporting`)."""

from typing import Annotated, Generic, TypeVar

from ninja import Field, Path, Schema
from pydantic import ConfigDict

T = TypeVar("T")

# Ids are 64-bit (BigAutoField): a larger number is refused (422) before it reaches the database,
# where SQLite cannot even bind it.
MAX_ID = 2**63 - 1
PK = Annotated[int, Path(ge=1, le=MAX_ID)]


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Truyền vào `cursor` để lấy trang sau.")


class Input(Schema):
    """A request body: a field it does not declare (unknown, or read-only like `id`, `status`,
    `members_count`) is a 422 naming it, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    field: str
    message: dict[str, str]


class Error(Schema):
    code: str
    message: dict[str, str]
    errors: list[ErrorDetail]


# The error answers every operation documents (core/api.py gives each the one shape).
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}
