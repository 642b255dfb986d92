"""Rule sets as data: validated when loaded, evaluated by plain functions.

A classification rule set (Circular 01/2020 first) names its criteria with their maximum
points, the grades by their lowest total, the exclusions and the round's deadlines; a DX rule
set names its pillars and questions (each 0..question_max), the pillar levels by share of the
pillar's maximum, the overall levels (a share of the whole and enough pillars at that level)
and the advice actions (a pillar below a level → an action, its priority and effort). Nothing
here runs code from a definition: every value is checked for its type and range.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSIFICATION = "classification"
DX = "dx"
PRIORITIES = ("high", "medium", "low")
EFFORTS = ("low", "medium", "high")


def _fail(message: str) -> ValidationError:
    return ValidationError(_("Bộ tiêu chí không hợp lệ: %(why)s") % {"why": message})


def _int(value: Any, what: str, low: int = 0, high: int = 10**9) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(_("%(what)s phải là số nguyên từ %(low)s đến %(high)s") % locals())
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(_("thiếu %(what)s") % {"what": what})
    return value


def _unique(codes: list[str], what: str) -> None:
    if len(set(codes)) != len(codes):
        raise _fail(_("mã %(what)s bị trùng") % {"what": what})


def _bands(bands: Any, maximum: int, what: str) -> None:
    if not isinstance(bands, list) or not bands:
        raise _fail(_("%(what)s: thiếu các mức điểm") % {"what": what})
    lows = []
    for band in bands:
        if not isinstance(band, list) or len(band) != 2:
            raise _fail(_("%(what)s: mỗi mức là [ngưỡng, điểm]") % {"what": what})
        if not isinstance(band[0], int | float) or isinstance(band[0], bool):
            raise _fail(_("%(what)s: ngưỡng phải là số") % {"what": what})
        _int(band[1], what, 0, maximum)
        lows.append(band[0])
    if lows != sorted(lows):
        raise _fail(_("%(what)s: các ngưỡng phải tăng dần") % {"what": what})


def validate_classification(d: Mapping[str, Any]) -> None:
    criteria = d.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        raise _fail(_("thiếu danh sách tiêu chí"))
    total = _int(d.get("total"), _("tổng điểm"), 1, 1000)
    for c in criteria:
        _text(c.get("code"), _("mã tiêu chí"))
        _text(c.get("name"), _("tên tiêu chí"))
        _int(c.get("max"), c["code"], 1, total)
        prefill = c.get("prefill")
        if prefill is not None:
            if prefill.get("source") not in ("report", "registry"):
                raise _fail(_("%(c)s: nguồn điền sẵn không hợp lệ") % {"c": c["code"]})
            if prefill.get("present"):
                _int(prefill.get("points"), c["code"], 0, c["max"])
            else:
                _bands(prefill.get("bands"), c["max"], c["code"])
    _unique([c["code"] for c in criteria], _("tiêu chí"))
    if sum(c["max"] for c in criteria) != total:
        raise _fail(_("tổng điểm tối đa các tiêu chí khác %(total)s") % {"total": total})
    grades = d.get("grades")
    if not isinstance(grades, list) or not grades:
        raise _fail(_("thiếu các mức xếp loại"))
    mins = [_int(g.get("min"), _("ngưỡng xếp loại"), 0, total) for g in grades]
    for g in grades:
        _text(g.get("code"), _("mã xếp loại"))
    _unique([g["code"] for g in grades], _("xếp loại"))
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins) or mins[-1] != 0:
        raise _fail(_("ngưỡng xếp loại phải giảm dần và mức cuối bắt đầu từ 0"))
    for e in d.get("exclusions", []):
        _text(e.get("code"), _("mã trường hợp không xếp loại"))
        _text(e.get("name"), _("tên trường hợp không xếp loại"))
    _unique([e["code"] for e in d.get("exclusions", [])], _("trường hợp không xếp loại"))
    deadlines = d.get("deadlines") or {}
    for key in ("self_scoring", "province"):
        value = deadlines.get(key, "")
        parts = value.split("-") if isinstance(value, str) else []
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise _fail(_("hạn %(key)s phải có dạng MM-DD") % {"key": key})
        _int(int(parts[0]), key, 1, 12)
        _int(int(parts[1]), key, 1, 31)


def validate_dx(d: Mapping[str, Any]) -> None:
    top = _int(d.get("question_max"), _("điểm tối đa mỗi câu"), 1, 100)
    levels = d.get("levels")
    if not isinstance(levels, list) or [lv.get("level") for lv in levels] != list(
        range(len(levels))
    ):
        raise _fail(_("các mức phải đánh số 0, 1, 2…"))
    last = len(levels) - 1
    pillars = d.get("pillars")
    if not isinstance(pillars, list) or not pillars:
        raise _fail(_("thiếu các trụ cột"))
    for p in pillars:
        _text(p.get("code"), _("mã trụ cột"))
        _text(p.get("name"), _("tên trụ cột"))
        if not isinstance(p.get("questions"), list) or not p["questions"]:
            raise _fail(_("trụ cột %(p)s không có câu hỏi") % {"p": p["code"]})
        for q in p["questions"]:
            _text(q.get("code"), _("mã câu hỏi"))
            _text(q.get("text"), _("nội dung câu hỏi"))
    _unique([p["code"] for p in pillars], _("trụ cột"))
    _unique([q["code"] for p in pillars for q in p["questions"]], _("câu hỏi"))
    steps = d.get("pillar_levels")
    if not isinstance(steps, list) or [s[1] for s in steps] != list(range(last + 1)):
        raise _fail(_("mức trụ cột phải cho mỗi mức một ngưỡng"))
    shares = [_int(s[0], _("ngưỡng mức trụ cột"), 0, 100) for s in steps]
    if shares != sorted(shares) or shares[-1] != 100:
        raise _fail(_("ngưỡng mức trụ cột phải tăng dần đến 100"))
    for o in d.get("overall_levels", []):
        _int(o.get("level"), _("mức chung"), 1, last)
        _int(o.get("pillars"), _("số trụ cột"), 0, len(pillars))
        share = o.get("share_above")
        if not isinstance(share, int | float) or not 0 <= share < 100:
            raise _fail(_("tỷ lệ của mức chung phải từ 0 đến dưới 100"))
    codes = {p["code"] for p in pillars}
    for a in d.get("actions", []):
        if a.get("pillar") not in codes:
            raise _fail(_("hành động gắn với trụ cột không có"))
        _int(a.get("below"), _("mức áp dụng"), 1, last)
        _text(a.get("text"), _("nội dung hành động"))
        if a.get("priority") not in PRIORITIES or a.get("effort") not in EFFORTS:
            raise _fail(_("ưu tiên hoặc công sức không hợp lệ"))
    del top


def validate(definition: Any) -> None:
    """Raise a Vietnamese `ValidationError` unless `definition` is a sound rule set."""
    if not isinstance(definition, dict):
        raise _fail(_("định nghĩa phải là một đối tượng JSON"))
    _text(definition.get("code"), _("mã bộ tiêu chí"))
    _text(definition.get("name"), _("tên bộ tiêu chí"))
    _int(definition.get("applies_from"), _("năm áp dụng"), 2000, 2100)
    try:
        if definition.get("kind") == CLASSIFICATION:
            validate_classification(definition)
        elif definition.get("kind") == DX:
            validate_dx(definition)
        else:
            raise _fail(_("loại bộ tiêu chí phải là classification hoặc dx"))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise _fail(_("cấu trúc sai (%(exc)s)") % {"exc": exc}) from exc


# -- classification --------------------------------------------------------------------------


def criteria(d: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(d["criteria"])


def check_scores(d: Mapping[str, Any], scores: Mapping[str, Any]) -> dict[str, int]:
    """The scores as {criterion: points}, each a whole number within its maximum; a Vietnamese
    error per criterion otherwise (an unknown criterion is refused)."""
    maximum = {c["code"]: c["max"] for c in d["criteria"]}
    errors: dict[str, str] = {}
    out: dict[str, int] = {}
    for code, value in scores.items():
        if code not in maximum:
            errors[code] = _("Tiêu chí không có trong bộ tiêu chí.")
            continue
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
            errors[code] = _("Điểm phải là số nguyên.")
            continue
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            errors[code] = _("Điểm phải là số nguyên.")
            continue
        if number != number.to_integral_value():
            errors[code] = _("Điểm phải là số nguyên.")
        elif not 0 <= number <= maximum[code]:
            errors[code] = _("Điểm phải từ 0 đến %(max)s.") % {"max": maximum[code]}
        else:
            out[code] = int(number)
    if errors:
        raise ValidationError(errors)
    return out


def grade_of(d: Mapping[str, Any], total: int) -> str:
    """The grade of a total: the first grade (highest minimum first) whose minimum it reaches."""
    for g in d["grades"]:
        if total >= g["min"]:
            return str(g["code"])
    raise ValueError("no grade starts at 0")  # validate() forbids it


def grade_name(d: Mapping[str, Any], code: str) -> str:
    return next((str(g["name"]) for g in d["grades"] if g["code"] == code), code)


def _band(bands: list, value: float) -> int:
    points = 0
    for low, given in bands:
        if value >= low:
            points = given
    return int(points)


@dataclass(frozen=True)
class Prefill:
    scores: dict[str, int]
    sources: dict[str, str]  # criterion → where its points came from (shown to the manager)


def prefill(
    d: Mapping[str, Any], registry: Mapping[str, Any], report: Mapping[str, Any] | None
) -> Prefill:
    """Scores the data already answers: the registry's facts (members) and the approved yearly
    report's values (revenue, profit, assets, income, services to members, reported at all)."""
    scores: dict[str, int] = {}
    sources: dict[str, str] = {}
    for c in d["criteria"]:
        rule = c.get("prefill")
        if not rule:
            continue
        facts = registry if rule["source"] == "registry" else report
        if facts is None:
            continue
        if rule.get("present"):
            scores[c["code"]], sources[c["code"]] = rule["points"], _("báo cáo năm đã duyệt")
            continue
        if "share" in rule:
            part, whole = (facts.get(k) for k in rule["share"])
            if not isinstance(part, int | float) or not isinstance(whole, int | float) or not whole:
                continue
            value: float = part * 100 / whole
        else:
            raw = facts.get(rule["field"])
            if not isinstance(raw, int | float) or isinstance(raw, bool):
                continue
            value = raw
        scores[c["code"]] = min(_band(rule["bands"], value), c["max"])
        sources[c["code"]] = (
            _("sổ đăng ký") if rule["source"] == "registry" else _("báo cáo năm đã duyệt")
        )
    return Prefill(scores, sources)
