"""Streamed CSV for downloads: a UTF-8 byte order mark (Excel reads the Vietnamese), rows
handed to the response a few hundred at a time, and text a spreadsheet would run as a formula
neutralised. Every app's CSV export writes through `csv_stream` (exchange's registry exports,
reporting's report list)."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

BOM = "\ufeff"
CSV_ROWS_PER_PIECE = 500  # rows per string handed to the response

_FORMULA_START = ("=", "@", "\t", "\r")


def _safe_csv(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula ("=HYPERLINK(…)", "+cmd|…") with a
    leading apostrophe; phone numbers like "+84 912 345 678" are left alone."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in _FORMULA_START or (
        first in "+-" and not value[1:].replace(" ", "").replace(".", "").isdigit()
    ):
        return "'" + value
    return value


def csv_stream(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """A CSV export as strings for a `StreamingHttpResponse`: a UTF-8 byte order mark first
    (so Excel reads the Vietnamese correctly), then the header row, then the rows a few hundred
    at a time. Closing the iterator early closes `rows`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    try:
        writer.writerow([str(h) for h in headers])
        yield BOM + buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        pending = 0
        for row in rows:
            writer.writerow([_safe_csv(v) for v in row])
            pending += 1
            if pending >= CSV_ROWS_PER_PIECE:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                pending = 0
        if pending:
            yield buffer.getvalue()
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
