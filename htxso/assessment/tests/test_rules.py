"""Rule sets as data: the shipped versions validate, the grade thresholds hold for every
total (hypothesis, at and around each threshold), broken definitions are refused with a
Vietnamese reason, DX levels and the advice a known gap calls for."""

import copy

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from htxso.assessment import maturity, rules

from .conftest import definition

TT01 = definition()
DX = definition("dx-htx-2024.json")


def expected_grade(total: int) -> str:  # Circular 01/2020, written out independently
    if total >= 80:
        return "good"
    if total >= 65:
        return "fair"
    if total >= 50:
        return "average"
    return "weak"


def test_the_shipped_rule_sets_validate():
    rules.validate(TT01)
    rules.validate(DX)
    assert len(TT01["criteria"]) == 15
    assert sum(c["max"] for c in TT01["criteria"]) == 100
    assert len(DX["pillars"]) == 6 and [lv["level"] for lv in DX["levels"]] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (100, "good"),
        (80, "good"),
        (79, "fair"),
        (65, "fair"),
        (64, "average"),
        (50, "average"),
        (49, "weak"),
        (0, "weak"),
    ],
)
def test_the_thresholds_at_their_edges(total, grade):
    assert rules.grade_of(TT01, total) == grade


@given(st.integers(min_value=0, max_value=100))
def test_every_total_gets_the_circulars_grade(total):
    assert rules.grade_of(TT01, total) == expected_grade(total)


@given(st.sampled_from([49, 50, 64, 65, 79, 80]), st.integers(min_value=-1, max_value=1))
def test_a_point_either_side_of_a_threshold(threshold, step):
    total = threshold + step
    assert rules.grade_of(TT01, total) == expected_grade(total)


@st.composite
def score_sets(draw):
    return {c["code"]: draw(st.integers(0, c["max"])) for c in TT01["criteria"]}


@given(score_sets())
def test_scores_within_their_maximum_are_kept_and_graded_by_their_sum(scores):
    checked = rules.check_scores(TT01, scores)
    assert checked == scores
    assert rules.grade_of(TT01, sum(checked.values())) == expected_grade(sum(scores.values()))


@given(st.sampled_from(TT01["criteria"]), st.integers(min_value=1, max_value=1000))
def test_a_score_above_its_maximum_is_refused_in_vietnamese(criterion, extra):
    with pytest.raises(ValidationError) as caught:
        rules.check_scores(TT01, {criterion["code"]: criterion["max"] + extra})
    assert "Điểm phải từ 0 đến" in str(caught.value)


@pytest.mark.parametrize("bad", ["-1", "2.5", "mười", True, [1]])
def test_scores_that_are_not_whole_numbers_are_refused(bad):
    with pytest.raises(ValidationError):
        rules.check_scores(TT01, {"c01": bad})


def test_an_unknown_criterion_is_refused():
    with pytest.raises(ValidationError) as caught:
        rules.check_scores(TT01, {"c99": 1})
    assert "c99" in caught.value.error_dict


def _broken(change):
    d = copy.deepcopy(TT01)
    change(d)
    return d


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["criteria"][0].update(max=11),  # 101 points in all
        lambda d: d["criteria"].append(dict(d["criteria"][0])),  # a duplicate code
        lambda d: d["grades"].reverse(),  # thresholds not descending
        lambda d: d["grades"][-1].update(min=10),  # the last grade must start at 0
        lambda d: d["criteria"][0]["prefill"].update(source="tax"),
        lambda d: d["criteria"][0]["prefill"].update(bands=[[100, 1], [0, 2]]),
        lambda d: d["deadlines"].update(self_scoring="15/12"),
        lambda d: d.update(applies_from="2020"),
        lambda d: d.update(kind="ocop"),
        lambda d: d.pop("criteria"),
        lambda d: d["criteria"][0].pop("max"),
    ],
)
def test_a_broken_classification_rule_set_is_refused(change):
    with pytest.raises(ValidationError) as caught:
        rules.validate(_broken(change))
    assert "Bộ tiêu chí không hợp lệ" in str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["pillar_levels"].pop(),  # a level without its threshold
        lambda d: d["pillar_levels"][-1].__setitem__(0, 90),  # not up to 100
        lambda d: d["actions"][0].update(pillar="marketing"),
        lambda d: d["actions"][0].update(priority="urgent"),
        lambda d: d["pillars"][0]["questions"].clear(),
        lambda d: d["overall_levels"][0].update(pillars=7),
    ],
)
def test_a_broken_dx_rule_set_is_refused(change):
    d = copy.deepcopy(DX)
    change(d)
    with pytest.raises(ValidationError):
        rules.validate(d)


def _answers(level_by_pillar):
    return {
        q["code"]: level_by_pillar.get(p["code"], 0) for p in DX["pillars"] for q in p["questions"]
    }


def test_dx_levels_at_the_extremes():
    none = maturity.evaluate(DX, _answers({}))
    assert set(none.pillars.values()) == {0} and none.overall == 0
    full = maturity.evaluate(DX, _answers({p["code"]: 5 for p in DX["pillars"]}))
    assert set(full.pillars.values()) == {5} and full.overall == 5


def test_the_overall_level_needs_enough_pillars_at_that_level():
    # Four pillars full (level 5), two empty: 66.7 % of the points, but only 4 pillars ≥ 4.
    answers = _answers({"customer": 5, "strategy": 5, "infrastructure": 5, "operations": 5})
    result = maturity.evaluate(DX, answers)
    assert result.share == pytest.approx(66.67, abs=0.01)
    assert result.overall == 3  # level 4 asks for 5 pillars at level 4


def test_a_pillar_level_follows_its_share_of_the_maximum():
    # operations: 2 + 1 + 0 of 15 = 20 % → level 1 (≤ 20 %)
    answers = _answers({})
    answers.update({"operations-1": 2, "operations-2": 1})
    assert maturity.evaluate(DX, answers).pillars["operations"] == 1


def test_advice_from_a_known_gap():
    levels = {p["code"]: 5 for p in DX["pillars"]}
    levels["operations"] = 1
    advice = maturity.advise(DX, levels)
    texts = [a.text for a in advice]
    assert "Mở sổ bán hàng điện tử" in texts  # operations below 2
    assert all(a.pillar == "operations" for a in advice)
    assert texts[0] == "Mở sổ bán hàng điện tử"  # high priority first
    levels["operations"] = 2
    assert "Mở sổ bán hàng điện tử" not in [a.text for a in maturity.advise(DX, levels)]


def test_incomplete_or_out_of_range_answers_are_refused():
    answers = _answers({})
    answers.pop("customer-1")
    answers["data-1"] = 6
    with pytest.raises(ValidationError) as caught:
        maturity.check_answers(DX, answers)
    assert set(caught.value.error_dict) == {"customer-1", "data-1"}
