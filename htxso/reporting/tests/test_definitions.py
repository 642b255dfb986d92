"""Form definitions as data: Vietnamese-style input, the reference rules, outliers, and
malformed definitions refused (a rule is never code)."""

import copy
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from htxso.reporting.definitions import BOOLEAN, ERROR, OUTLIER, WARNING, Definition, Field

from .conftest import annual_definition, good_values

NUMBER = Field(key="n", label={"vi": "Số"}, min=0, max=1_000_000_000)


def definition(**changes) -> dict:
    data = {
        "fields": [
            {"key": "a", "label": {"vi": "A", "en": "A"}, "min": 0, "max": 1000},
            {"key": "b", "label": {"vi": "B", "en": "B"}, "min": 0, "max": 1000},
            {"key": "flag", "label": {"vi": "Cờ"}, "type": "boolean"},
        ],
        "rules": [{"code": "a_le_b", "expr": "a <= b", "message": {"vi": "A ≤ B"}}],
    }
    data.update(changes)
    return data


def rule(expr: str, when: str = "", **extra) -> dict:
    return definition(rules=[{"code": "r", "expr": expr, "when": when, "message": {"vi": "x"},
                              **extra}])  # fmt: skip


def codes(findings: list[dict], severity: str | None = None) -> set[str]:
    return {f["code"] for f in findings if severity is None or f["severity"] == severity}


@pytest.fixture(scope="module")
def annual() -> Definition:
    return Definition(annual_definition())


def typed(annual: Definition, **overrides) -> dict:
    values, errors = annual.parse(good_values(**overrides))
    assert errors == {}
    return values


# -- input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1.250.000", 1_250_000), ("1250000", 1_250_000), (" 12 ", 12), (12, 12), ("0", 0),
     ("1 250 000", 1_250_000), ("1\u00a0250", 1250), ("999.999.999", 999_999_999), (7.0, 7),
     ("007", 7), ("1.000.000.000", 1_000_000_000),
     # English-locale Excel: comma groups of three are thousands (htxso.core.values)
     ("1,250,000", 1_250_000), ("1,250", 1250)],
)  # fmt: skip
def test_integers_typed_the_vietnamese_way(raw, value):
    assert NUMBER.parse(raw) == value


@pytest.mark.parametrize(
    ("raw", "says"),
    [("1,5", "dấu phẩy"), ("1.5", "số nguyên"), ("abc", "số nguyên"),
     ("1.2345", "số nguyên"), ("1.25.000", "số nguyên"), (".250", "số nguyên"),
     ("1..250", "số nguyên"), (1.5, "thập phân"), (True, "số nguyên"), ("+5", "số nguyên"),
     ("١٢", "số nguyên"), ("9" * 5000, "quá lớn"), (10**30, "quá lớn"), (1e300, "quá lớn")],
)  # fmt: skip
def test_wrong_integers_are_refused_in_vietnamese(raw, says):
    with pytest.raises(ValidationError) as info:
        NUMBER.parse(raw)
    assert says in " ".join(info.value.messages)


def test_bounds():
    assert NUMBER.parse("1.000.000.000") == 1_000_000_000
    with pytest.raises(ValidationError, match=r"lớn hơn 1\.000\.000\.000"):
        NUMBER.parse("1.000.000.001")
    with pytest.raises(ValidationError, match="nhỏ hơn 0"):
        NUMBER.parse("-1")
    with pytest.raises(ValidationError, match="nhỏ hơn 0"):
        NUMBER.parse("-1.000")
    # min is 0 unless said otherwise; a profit field allows losses
    assert Field(key="x", label={"vi": "x"}).min == 0
    loss = Field(key="p", label={"vi": "Lãi"}, min=-1000, max=1000)
    assert loss.parse("-1.000") == -1000
    with pytest.raises(ValidationError):
        loss.parse("-1.001")


def test_blank_is_no_value():
    assert NUMBER.parse("") is None
    assert NUMBER.parse("   ") is None
    assert NUMBER.parse(None) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [("có", True), ("Có", True), ("CÓ", True), ("x", True), ("X", True), (True, True),
     ("không", False), ("Không", False), (False, False), ("0", False), ("1", True),
     (unicodedata.normalize("NFD", "có"), True), (unicodedata.normalize("NFD", "không"), False)],
)  # fmt: skip
def test_booleans(raw, value):
    assert Field(key="f", label={"vi": "f"}, type=BOOLEAN).parse(raw) is value


@pytest.mark.parametrize("raw", ["có lẽ", "2", "maybe", 2])
def test_wrong_booleans_are_refused(raw):
    with pytest.raises(ValidationError, match="Có"):
        Field(key="f", label={"vi": "f"}, type=BOOLEAN).parse(raw)


def test_parse_collects_errors_by_field_and_ignores_unknown_keys(annual):
    values, errors = annual.parse({"members": "1.250", "workers": "1,5", "revenue": "abc",
                                   "high_tech": "x", "not_a_field": "1", "profit": ""})  # fmt: skip
    assert values == {"members": 1250, "high_tech": True}
    assert set(errors) == {"workers", "revenue"}
    assert all(isinstance(m, str) and m for ms in errors.values() for m in ms)


# -- the reference htx-annual rules -------------------------------------------------------------


def test_good_values_pass_every_rule(annual):
    assert annual.check(typed(annual), "cooperative") == []


def test_required_fields(annual):
    values = typed(annual)
    for key in ("members", "workers", "revenue", "profit"):
        missing = {k: v for k, v in values.items() if k != key}
        found = annual.check(missing, "cooperative")
        assert {(f["code"], f["field"], f["severity"]) for f in found} == {("required", key, ERROR)}
        assert found[0]["vi"] and found[0]["en"]
    assert annual.check({k: v for k, v in values.items() if k != "assets"}, "cooperative") == []
    # a boolean answered "không" is a value, not a missing one
    assert annual.check(typed(annual, high_tech="không"), "cooperative") == []


def test_profit_above_revenue_is_an_error(annual):
    found = annual.check(typed(annual, profit="1.251", costs="0"), "cooperative")
    assert codes(found, ERROR) == {"profit_le_revenue"}
    assert next(f for f in found if f["code"] == "profit_le_revenue")["field"] == "profit"
    assert annual.check(typed(annual, profit="1.250", costs="0"), "cooperative") == []


def test_losses_are_allowed(annual):
    assert codes(annual.check(typed(annual, profit="-200", costs="1.450"), "cooperative")) == set()


def test_an_htx_needs_five_members_a_union_does_not(annual):
    four = typed(annual, members="4", member_workers="4", member_cooperatives="3")
    assert codes(annual.check(four, "cooperative"), ERROR) == {"htx_min_members"}
    assert codes(annual.check(typed(annual, members="5"), "cooperative")) == set()
    assert codes(annual.check(four, "cooperative_union")) == set()
    assert codes(annual.check(four, "")) == set()


def test_a_union_with_fewer_than_three_member_cooperatives_is_a_warning(annual):
    found = annual.check(typed(annual, member_cooperatives="2"), "cooperative_union")
    assert [(f["code"], f["severity"]) for f in found] == [("union_min_members", WARNING)]
    assert annual.check(typed(annual, member_cooperatives="3"), "cooperative_union") == []
    assert annual.check(typed(annual, member_cooperatives="2"), "cooperative") == []


def test_other_rules(annual):
    assert codes(annual.check(typed(annual, member_workers="9"), "cooperative"), ERROR) == {
        "member_workers_le_workers"
    }
    assert codes(annual.check(typed(annual, member_service_revenue="1.251"), "cooperative")) == {
        "services_le_revenue"
    }
    # profit far above revenue - costs: a warning for the reviewer
    assert codes(annual.check(typed(annual, costs="1.200", profit="200"), "cooperative")) == {
        "profit_matches"
    }
    assert codes(annual.check(typed(annual, avg_income="0"), "cooperative"), WARNING) == {
        "income_when_workers"
    }
    no_workers = typed(annual, workers="0", member_workers="0", avg_income="0")
    assert annual.check(no_workers, "cooperative") == []


def test_missing_values_make_a_rule_not_apply(annual):
    values = {"members": 12, "workers": 8, "revenue": 100, "profit": 50}
    # no member_workers, costs, avg_income, member_cooperatives: those rules do not apply
    assert annual.check(values, "cooperative") == []
    assert annual.check(values, "cooperative_union") == []
    # members missing: the required finding only, not the members >= 5 rule on top
    found = annual.check({**values, "members": None}, "cooperative")
    assert [f["code"] for f in found] == ["required"]


# -- outliers -----------------------------------------------------------------------------------


def test_outliers_against_the_previous_period(annual):
    values = typed(annual)  # members 12, workers 8, revenue 1250, assets 2000, capital 500
    previous = {**values}
    assert annual.check(values, "cooperative", previous) == []
    three_times = {**previous, "revenue": 1250 // 3 + 1}  # 3 × 417 = 1251 ≥ 1250: not yet
    assert annual.check(values, "cooperative", three_times) == []
    found = annual.check(values, "cooperative", {**previous, "revenue": 416})
    assert [(f["code"], f["field"], f["severity"], f["previous"]) for f in found] == [
        ("outlier", "revenue", OUTLIER, 416)
    ]
    assert "1.250 so với 416" in found[0]["vi"] and "1,250 against 416" in found[0]["en"]
    dropped = annual.check(values, "cooperative", {**previous, "assets": 6001})
    assert codes(dropped) == {"outlier"} and dropped[0]["field"] == "assets"
    assert annual.check(values, "cooperative", {**previous, "assets": 6000}) == []


def test_small_figures_are_not_outliers(annual):
    values = typed(annual, members="9", member_workers="5")
    assert annual.check(values, "cooperative", {"members": 2}) == []  # both below 10
    found = annual.check(typed(annual), "cooperative", {"members": 2})  # 12 vs 2
    assert codes(found) == {"outlier"}
    # a previous zero, or a field missing on either side
    assert codes(annual.check(typed(annual), "cooperative", {"workers": 0})) == set()  # 8 < 10
    assert codes(annual.check(typed(annual), "cooperative", {"revenue": 0})) == {"outlier"}
    assert annual.check(typed(annual), "cooperative", {"revenue": None}) == []
    assert annual.check(typed(annual), "cooperative", {"high_tech": False}) == []


def test_outlier_fields_not_listed_are_never_flagged(annual):
    assert annual.check(typed(annual), "cooperative", {"avg_income": 1}) == []


def test_outlier_message_keeps_the_label_intact():
    data = definition(outliers={"ratio": 2.5, "min_base": 0, "fields": ["a"]})
    data["fields"][0]["label"] = {"vi": "Cán bộ, thành viên", "en": "Staff, members"}
    found = Definition(data).check({"a": 1000, "b": 1000}, "", {"a": 100})
    assert (
        found[0]["vi"] == "Cán bộ, thành viên: 1.000 so với 100 kỳ trước (chênh lệch quá 2,5 lần)."
    )
    assert found[0]["en"].startswith("Staff, members: 1,000 against 100")


# -- malformed definitions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    ["__import__('os').system('true')", "a.__class__", "open('/etc/passwd')", "lambda: 1",
     "(lambda: 1)()", "[x for x in (1, 2)]", "a[0]", "{'k': 1}", "{1, 2}", "a if b else 1",
     "f'{a}'", "a ** 2", "a // 2", "a % 2", "a @ b", "a << 1", "a & b", "~a", "+a", "(a := 1)",
     "a = 1", "import os", "a; b", "...", "b'x' == b'x'", "None == a", "1j == a"],
)  # fmt: skip
def test_a_rule_can_never_run_code(expr):
    with pytest.raises(ValidationError):
        Definition(rule(expr))
    with pytest.raises(ValidationError):
        Definition(rule("a <= b", when=expr))


@pytest.mark.parametrize(
    "expr",
    [
        "kind + 1 > 0",
        "'x' * 1000000000000 == kind",
        "kind < 5",
        "kind == 5",
        "a in 5",
        "-kind == 'x'",
        "a + flag > 0 and kind * 2 == 'xx'",
        "(1, (2, 3)) == a",
        "a in kind",
    ],
)
def test_rules_that_cannot_be_evaluated_are_refused(expr):
    with pytest.raises(ValidationError, match="kiểu"):
        Definition(rule(expr))


@pytest.mark.parametrize(
    "expr",
    [
        "a <= b",
        "0 <= a <= b",
        "kind in ('cooperative', 'cooperative_union')",
        "kind not in ('cooperative',)",
        "not flag or a > 0",
        "flag == True",
        "a * 2 - b / 3 >= -1",
        "a == 0 or b > 0",
        "kind == 'cooperative' and a >= 5",
        "a in (1, 2, 3)",
        "flag",
    ],
)
def test_allowed_rules(expr):
    Definition(rule(expr))


def test_unknown_names_are_refused():
    with pytest.raises(ValidationError, match="không có: c"):
        Definition(rule("a <= c"))
    with pytest.raises(ValidationError, match="không có: province"):
        Definition(rule("a <= b", when="province == '19'"))


@pytest.mark.parametrize(
    "broken",
    [
        lambda d: d["fields"].append(copy.deepcopy(d["fields"][0])),  # duplicate key
        lambda d: d["fields"][0].update(type="text"),
        lambda d: d["fields"][0].update(colour="red"),  # unknown attribute
        lambda d: d["fields"][0].update(key="kind"),  # reserved for the respondent's kind
        lambda d: d["fields"][0].update(key="a b"),
        lambda d: d["fields"][0].update(key=["a"]),
        lambda d: d["fields"][0].update(label="A"),
        lambda d: d["fields"][0].update(min=10, max=5),
        lambda d: d["fields"][0].update(max="1000"),
        lambda d: d["fields"][0].pop("key"),
        lambda d: d.pop("fields"),
        lambda d: d["rules"][0].update(severity="fatal"),
        lambda d: d["rules"][0].update(field="c"),
        lambda d: d["rules"][0].update(message="A ≤ B"),
        lambda d: d["rules"][0].update(expr=""),
        lambda d: d["rules"][0].update(expr="a <="),  # syntax
        lambda d: d["rules"][0].update(expr="a <= b\x00"),
        lambda d: d["rules"][0].update(expr=" + ".join(["a"] * 300) + " > 0"),  # too long
        lambda d: d["rules"][0].update(when=["a > 0"]),
        lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])),  # duplicate code
        lambda d: d.update(outliers={"ratio": "three", "fields": ["a"]}),
        lambda d: d.update(outliers={"ratio": 3, "fields": ["c"]}),
        lambda d: d.update(outliers={"ratio": 3, "fields": ["flag"]}),
        lambda d: d.update(outliers=[3]),
    ],
)
def test_malformed_definitions_are_refused(broken):
    data = definition()
    Definition(data)  # the base is valid
    broken(data)
    with pytest.raises(ValidationError):
        Definition(data)


@pytest.mark.parametrize("data", [None, [], "fields", {"fields": "a"}, {"fields": [1]}])
def test_definitions_that_are_not_objects_are_refused(data):
    with pytest.raises(ValidationError):
        Definition(data)


def test_the_reference_definitions_are_valid():
    from .conftest import reference_data

    for form in reference_data()["forms"]:
        for version in form["versions"]:
            Definition(version["definition"])
