"""What each indicator measures, from its data spec (`Indicator.measure`).

Registry indicators are stocks of existing organisations (not dissolved or bankrupt) at a
period's end: live from the current columns for the running half-year, reconstructed from
the dated history (establishment, status changes, memberships joined / left) for a past one.
Report indicators sum the approved reports' values. Ratios are derived when read.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection

from htxso.registry.members import keeps_members

from . import cube
from .models import TOTAL, Indicator, Report, Source

_FLAGS = {"is_high_tech", "is_agricultural", "in_value_chain"}
_TEXT = {"classification", "kind", "sector", "agricultural_type"}


def indicators(source: str) -> list[Indicator]:
    return list(Indicator.objects.filter(source=source))


def _registry_expression(spec: Mapping[str, Any], params: list) -> str:
    """The SQL expression summed for one registry indicator (`o` the organisation, `mem` and
    `orgmem` its member counts)."""
    what = spec["registry"]
    if what == "count":
        return "1"
    if what == "members":
        return "mem"
    if what == "union_members":
        return "orgmem"
    if what == "count_if":
        conditions = []
        for flag in spec.get("flags", []):
            if flag not in _FLAGS:
                raise ValueError(f"unknown flag {flag}")
            conditions.append(f"o.{flag}")
        if "field" in spec:
            if spec["field"] not in _TEXT:
                raise ValueError(f"unknown field {spec['field']}")
            values = list(spec.get("in", []))
            params.extend(values)
            conditions.append(f"o.{spec['field']} IN ({', '.join(['%s'] * len(values))})")
        return f"CASE WHEN {' AND '.join(conditions) or '1=1'} THEN 1 ELSE 0 END"
    raise ValueError(f"unknown registry measure {what}")


def registry_rows(
    specs: Mapping[str, Mapping[str, Any]],
    provinces: Iterable[str] | None,
    as_at: dt.date | None,
) -> list[tuple[str, dict[str, str], dict[str, int]]]:
    """(province, dims, measures) per province × kind × sector × status of the existing
    organisations: live (`as_at` None) or as they stood at the end of `as_at`."""
    params: list = []
    codes = list(specs)
    sums = ", ".join(f"SUM({_registry_expression(specs[c], params)})" for c in codes)
    where, where_params = "", []
    if provinces is not None:
        wanted = sorted(set(provinces))
        where = f" AND o.province_id IN ({', '.join(['%s'] * len(wanted))})"
        where_params = wanted
    if as_at is None:
        sql = f"""
            SELECT o.province_id, o.kind, o.sector, o.status, {sums}
            FROM (SELECT o.*, o.members_count AS mem, COALESCE(u.n, 0) AS orgmem
                  FROM registry_organisation o
                  LEFT JOIN (SELECT organisation_id, COUNT(*) AS n FROM registry_membership
                             WHERE member_organisation_id IS NOT NULL AND left_on IS NULL
                             GROUP BY organisation_id) u ON u.organisation_id = o.id
                  WHERE 1 = 1{where}) o
            GROUP BY o.province_id, o.kind, o.sector, o.status"""
        args = [*params, *where_params]
    else:
        sql = f"""
            WITH st AS (
                SELECT organisation_id, status, ROW_NUMBER() OVER (
                    PARTITION BY organisation_id ORDER BY effective_on DESC, id DESC) AS rn
                FROM registry_statuschange WHERE effective_on <= %s),
            m AS (
                SELECT organisation_id, COUNT(*) AS n,
                       SUM(CASE WHEN member_organisation_id IS NOT NULL THEN 1 ELSE 0 END) AS u
                FROM registry_membership
                WHERE joined_on <= %s AND (left_on IS NULL OR left_on > %s)
                GROUP BY organisation_id)
            SELECT o.province_id, o.kind, o.sector, o.status, {sums}
            FROM (SELECT o.id, o.province_id, o.kind, o.sector, o.is_high_tech,
                         o.is_agricultural, o.in_value_chain, o.classification,
                         o.agricultural_type, COALESCE(st.status, 'active') AS status,
                         COALESCE(m.n, 0) AS mem, COALESCE(m.u, 0) AS orgmem
                  FROM registry_organisation o
                  LEFT JOIN st ON st.organisation_id = o.id AND st.rn = 1
                  LEFT JOIN m ON m.organisation_id = o.id
                  WHERE o.established_on <= %s{where}) o
            GROUP BY o.province_id, o.kind, o.sector, o.status"""
        args = [as_at, as_at, as_at, *params, as_at, *where_params]
    out = []
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        for province, kind, sector, status, *values in cursor.fetchall():
            # Existing organisations and their current members only: the registry's one
            # definition (registry/members.py), as the home page and the API count them.
            if not keeps_members(status):
                continue
            dims = {"kind": kind, "sector": sector, "status": status}
            out.append(
                (province, dims, {c: int(v or 0) for c, v in zip(codes, values, strict=True)})
            )
    return out


def registry_contributions(
    specs: Mapping[str, Mapping[str, Any]], organisations: Iterable[int]
) -> dict[int, tuple[str, dict[str, str], dict[str, int]]]:
    """What each of these organisations adds now to the running figures: (province, dims,
    measures) by id, as `registry_rows` counts it live; absent when it adds nothing (not
    existing, or not in the registry any more)."""
    ids = sorted(set(organisations))
    if not specs or not ids:
        return {}
    params: list = []
    codes = list(specs)
    sums = ", ".join(f"{_registry_expression(specs[c], params)}" for c in codes)
    marks = ", ".join(["%s"] * len(ids))
    sql = f"""
        SELECT o.id, o.province_id, o.kind, o.sector, o.status, {sums}
        FROM (SELECT o.*, o.members_count AS mem, COALESCE(u.n, 0) AS orgmem
              FROM registry_organisation o
              LEFT JOIN (SELECT organisation_id, COUNT(*) AS n FROM registry_membership
                         WHERE member_organisation_id IS NOT NULL AND left_on IS NULL
                           AND organisation_id IN ({marks})
                         GROUP BY organisation_id) u ON u.organisation_id = o.id
              WHERE o.id IN ({marks})) o"""
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids, *ids])
        for pk, province, kind, sector, status, *values in cursor.fetchall():
            if not keeps_members(status):
                continue
            dims = {"kind": kind, "sector": sector, "status": status}
            out[pk] = (province, dims, {c: int(v or 0) for c, v in zip(codes, values, strict=True)})
    return out


def registry_cells(
    period: str, provinces: Iterable[str] | None, as_at: dt.date | None
) -> dict[cube.Key, int]:
    specs = {i.code: i.measure for i in indicators(Source.REGISTRY)}
    if not specs:
        return {}
    rows = registry_rows(specs, provinces, as_at)
    return cube.totals((period, p, dims, m) for p, dims, m in rows)


def report_measures(
    form_code: str, values: Mapping[str, Any], specs: list[Indicator] | None = None
) -> dict[str, int]:
    """What one approved report adds to each report indicator of its form (`specs`: the
    report indicators, when the caller already has them)."""
    out: dict[str, int] = {}
    for indicator in indicators(Source.REPORT) if specs is None else specs:
        spec = indicator.measure
        if spec.get("report") != form_code:
            continue
        if spec.get("count"):
            out[indicator.code] = 1
        elif "count_if" in spec:
            out[indicator.code] = 1 if values.get(spec["count_if"]) is True else 0
        elif "sum" in spec:
            value = values.get(spec["sum"])
            if value is None or isinstance(value, bool):
                continue
            # `is`, not `in (None, False)`: an income of 0 is a value (0 == False in Python).
            if "where" in spec and (
                values.get(spec["where"]) is None or values.get(spec["where"]) is False
            ):
                continue
            if "times" in spec:
                factor = values.get(spec["times"])
                if factor is None:
                    continue
                value = value * factor
            out[indicator.code] = int(value)
    return out


def report_dims(report: Report) -> tuple[str, dict[str, str]]:
    """(area, dims) a report counts in: its organisation's current province, kind, sector and
    status; a province's summary counts in its province with totals only."""
    org = report.organisation
    if org is None:
        return report.province_id, {"kind": TOTAL, "sector": TOTAL, "status": TOTAL}
    return org.province_id, {"kind": org.kind, "sector": org.sector, "status": org.status}
