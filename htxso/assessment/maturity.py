"""Digital maturity from a DX rule set: the level of each pillar, the overall level, and the
advice a gap calls for (all from the rule set's data; see `rules.validate_dx`)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_answers(d: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, int]:
    """{question: 0..question_max}; every question answered, a Vietnamese error otherwise."""
    top = d["question_max"]
    errors: dict[str, str] = {}
    out: dict[str, int] = {}
    for p in d["pillars"]:
        for q in p["questions"]:
            value = answers.get(q["code"])
            if value is None or value == "":
                errors[q["code"]] = _("Chưa trả lời câu hỏi này.")
                continue
            try:
                number = int(str(value))
            except ValueError:
                errors[q["code"]] = _("Câu trả lời phải là số từ 0 đến %(top)s.") % {"top": top}
                continue
            if not 0 <= number <= top:
                errors[q["code"]] = _("Câu trả lời phải là số từ 0 đến %(top)s.") % {"top": top}
                continue
            out[q["code"]] = number
    unknown = set(answers) - {q["code"] for p in d["pillars"] for q in p["questions"]}
    for code in unknown:
        errors[code] = _("Câu hỏi không có trong bộ câu hỏi.")
    if errors:
        raise ValidationError(errors)
    return out


@dataclass(frozen=True)
class Result:
    pillars: dict[str, int]  # pillar → level
    shares: dict[str, float]  # pillar → share of its maximum (%)
    overall: int
    share: float  # the whole questionnaire's share of its maximum (%)


def level_of_share(d: Mapping[str, Any], share: float) -> int:
    """The pillar level of a share: the first step whose ceiling the share does not pass."""
    for ceiling, level in d["pillar_levels"]:
        if share <= ceiling:
            return int(level)
    return int(d["pillar_levels"][-1][1])


def evaluate(d: Mapping[str, Any], answers: Mapping[str, int]) -> Result:
    top = d["question_max"]
    pillars: dict[str, int] = {}
    shares: dict[str, float] = {}
    got = possible = 0
    for p in d["pillars"]:
        points = sum(answers.get(q["code"], 0) for q in p["questions"])
        most = top * len(p["questions"])
        got, possible = got + points, possible + most
        shares[p["code"]] = round(points * 100 / most, 2)
        pillars[p["code"]] = level_of_share(d, points * 100 / most)
    share = got * 100 / possible
    overall = 0
    for rule in sorted(d.get("overall_levels", []), key=lambda r: r["level"]):
        enough = sum(1 for level in pillars.values() if level >= rule["level"]) >= rule["pillars"]
        if share > rule["share_above"] and enough:
            overall = rule["level"]
        else:
            break
    return Result(pillars, shares, overall, round(share, 2))


@dataclass(frozen=True)
class Advice:
    pillar: str
    text: str
    priority: str
    effort: str
    target_level: int


def advise(d: Mapping[str, Any], pillars: Mapping[str, int]) -> list[Advice]:
    """The actions the gaps call for: each rule's action when its pillar is below the rule's
    level, the pillar's next levels first, most urgent first."""
    order = {"high": 0, "medium": 1, "low": 2}
    out = [
        Advice(a["pillar"], a["text"], a["priority"], a["effort"], a["below"])
        for a in d.get("actions", [])
        if pillars.get(a["pillar"], 0) < a["below"]
    ]
    return sorted(out, key=lambda a: (order[a.priority], a.target_level, a.pillar))


def level_name(d: Mapping[str, Any], level: int) -> str:
    return next((str(lv["name"]) for lv in d["levels"] if lv["level"] == level), str(level))
