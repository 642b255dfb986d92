"""How a file is read, between its upload and its dry run: which row is its header and which
field each of its columns holds.

`propose` reads the top of the file: its first non-blank rows (any may be the header; the one
naming most columns is proposed), each header matched to a field by the template's words, the
synonym catalogue and spelling (`Layout.match_detail`), and a few data rows to show. A mapping
confirmed by a person (`services.confirm_mapping`) is kept on the job and remembered for the
province and the file's shape (its normalised header row), so the next file of that shape goes
straight through (`remembered`).
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from htxso.tabular.columns import Column, HeaderMatch, Layout, header_key
from htxso.tabular.sources import open_table

from . import synonyms
from .layouts import LAYOUTS
from .models import ColumnMapping, ImportJob

SAMPLE_ROWS = 3

# How a column was matched, as the mapping page and the CLI say it.
HOW = {
    "template": gettext_lazy("theo tệp mẫu"),
    "synonym": gettext_lazy("theo từ đồng nghĩa"),
    "similar": gettext_lazy("gần giống, hãy kiểm tra"),
    "confirmed": gettext_lazy("đã xác nhận trước đây"),
    "chosen": gettext_lazy("do người nhập chọn"),
    "": "",
}


@dataclass
class Proposal:
    layout: Layout
    header_row: int
    head: list[tuple[int, list[Any]]]  # the first non-blank rows: (row number, cells)
    headers: list[Any]
    matches: list[HeaderMatch]
    samples: list[list[Any]] = field(default_factory=list)
    remembered: bool = False

    @property
    def keys(self) -> list[str]:
        """The field of each column of the header ("" for one left out)."""
        by_position = {m.position: m.column.key for m in self.matches if m.column is not None}
        return [by_position.get(i, "") for i in range(len(self.headers))]

    @property
    def unmapped(self) -> list[str]:
        return [m.header for m in self.matches if m.column is None]

    @property
    def missing(self) -> list[Column]:
        """Required columns no header is mapped to (a one-cell address stands for the address
        columns)."""
        present = set(self.keys)
        if "address" in present:
            present |= {"province", "legacy_district", "commune", "street"}
        missing = [c for c in self.layout.columns if c.required and c.key not in present]
        if not any(k in present for k in self.layout.keys):
            missing.append(self.layout.column(self.layout.keys[0]))
        return missing

    @property
    def plain(self) -> bool:
        """A file read as the template, nothing guessed: the header first, every column it
        names matched by the template's words, none required missing. (Columns it does not
        name are left out, as the dry run's warnings say.)"""
        first = bool(self.head) and self.head[0][0] == self.header_row
        named = [m for m in self.matches if m.column is not None]
        return first and all(m.how == "template" for m in named) and not self.missing

    def keys_override(self, keys: list[str]) -> None:
        """Show these fields instead of the proposed ones (a mapping already confirmed, or one
        sent back with an error)."""
        self.matches = apply_keys(self.layout, self.headers, keys, self.matches)

    def rows(self) -> list[tuple[str, str, list[Any]]]:
        """(header, how matched, sample cells) per non-blank header, for the page."""
        return [
            (m.header, str(HOW[m.how]), [_cell(r, m.position) for r in self.samples])
            for m in self.matches
        ]


def _cell(cells: list[Any], position: int) -> Any:
    return cells[position] if position < len(cells) and cells[position] is not None else ""


def shape_of(layout: Layout, headers: list[Any]) -> str:
    """A file's shape: its layout and its header row, normalised (case, accents, spacing)."""
    text = layout.name + "\x1f" + "\x1f".join(header_key(h) for h in headers)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def province_of(user: Any) -> str:
    return str(getattr(user, "province_id", "") or "")


def apply_keys(
    layout: Layout,
    headers: list[Any],
    keys: list[str],
    before: list[HeaderMatch] | None = None,
    how: str = "chosen",
) -> list[HeaderMatch]:
    """The matches a given mapping makes: each column its field, or none; a column matched as
    `before` keeps how it was matched, any other is `how`."""
    known = {c.key: c for c in layout.readable}
    previous = {m.position: m for m in before or []}
    matches = []
    for position, header in enumerate(headers):
        key = keys[position] if position < len(keys) else ""
        if not header_key(header) and not key:
            continue
        old = previous.get(position)
        if old is not None and (old.column.key if old.column else "") == key:
            matches.append(old)
            continue
        column = known.get(key)
        matches.append(HeaderMatch(position, str(header or ""), column, how if column else ""))
    return matches


def propose(job: ImportJob, header_row: int | None = None) -> Proposal:
    """Read the top of the job's file: the header (the row asked for, else one remembered for
    this shape, else the one naming most columns), its matches and a few data rows."""
    layout = LAYOUTS[job.kind]
    synonyms.refresh()
    words = synonyms.headers(layout.name)
    head: list[tuple[int, list[Any]]] = []
    found: list[ColumnMapping | None] = [None]

    def pick(rows: list[tuple[int, list[Any]]]) -> int:
        head.extend(rows)
        if header_row is not None:
            return next((i for i, (n, _c) in enumerate(rows) if n == header_row), 0)
        shapes = {shape_of(layout, cells): i for i, (_n, cells) in enumerate(rows)}
        known = ColumnMapping.objects.filter(
            province=province_of(job.created_by), layout=layout.name, shape__in=list(shapes)
        ).first()
        if known is not None:
            found[0] = known
            return shapes[known.shape]
        return layout.find_header([cells for _n, cells in rows], words)

    table = open_table(job.file.path, job.filename, pick_header=pick)
    samples: list[list[Any]] = []
    try:
        for _number, cells in table.rows:
            samples.append(cells)
            if len(samples) >= SAMPLE_ROWS:
                break
    finally:
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()
    remembered = found[0]
    if remembered is not None and len(remembered.column_keys) == len(table.headers):
        matches = apply_keys(layout, table.headers, remembered.column_keys, how="confirmed")
    else:
        remembered = None
        matches = layout.match_detail(table.headers, words)
    return Proposal(
        layout,
        table.header_row,
        head,
        table.headers,
        matches,
        samples,
        remembered=remembered is not None,
    )
