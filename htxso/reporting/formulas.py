"""How each indicator of the catalogue is computed and broken down, in words a reader knows.

The stored `formula` was written for programmers ("Tổng trường workers", "good_fair /
classified × 100") and the disaggregations are dimension codes (`province, kind…`). The words
here are derived from the indicator's `measure` — the data the cube computes from — with the
report forms' field labels and the other indicators' names, in the page's language, so the
catalogue can never describe something other than what is computed.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from htxso.registry.choices import Classification

from .definitions import localised
from .models import FormVersion, Indicator

DIMENSIONS = {
    "province": gettext_lazy("tỉnh/thành phố"),
    "kind": gettext_lazy("loại hình tổ chức"),
    "sector": gettext_lazy("ngành kinh tế"),
    "status": gettext_lazy("tình trạng hoạt động"),
}
_FLAGS = {
    "is_agricultural": gettext_lazy("nông nghiệp"),
    "is_high_tech": gettext_lazy("ứng dụng công nghệ cao"),
    "in_value_chain": gettext_lazy("tham gia chuỗi giá trị"),
}


def dimensions(codes: Iterable[str]) -> str:
    """ "Tỉnh/thành phố, loại hình tổ chức, …" for the stored dimension codes."""
    text = ", ".join(str(DIMENSIONS.get(code, code)) for code in codes)
    return text[:1].upper() + text[1:]


def field_labels() -> dict[str, dict[str, str]]:
    """{form code: {field key: label in the page's language}} from each form's latest version
    (a few forms, a few versions: one query)."""
    labels: dict[str, dict[str, str]] = {}
    for version in FormVersion.objects.select_related("form").order_by("number"):
        fields = (version.definition or {}).get("fields", [])
        labels[version.form.code] = {
            f["key"]: localised(f.get("label") or {"vi": f["key"]}) for f in fields
        }
    return labels


def _quoted(text: str) -> str:
    return f"“{text}”"


def _registry(measure: Mapping[str, Any]) -> str:
    what = measure.get("registry")
    if what == "count":
        return _("Đếm tổ chức đang tồn tại (không tính tổ chức đã giải thể, phá sản)")
    if what == "members":
        return _(
            "Đếm thành viên hiện tại: tư cách thành viên chưa chấm dứt của tổ chức chưa giải "
            "thể, phá sản"
        )
    if what == "union_members":
        return _("Đếm HTX thành viên hiện tại của các liên hiệp HTX")
    if what == "count_if":
        conditions = [str(_FLAGS.get(flag, flag)) for flag in measure.get("flags", [])]
        if measure.get("field") == "classification":
            bands = dict(Classification.choices)
            chosen = list(measure.get("in", []))
            if set(chosen) >= set(bands):
                conditions.append(_("đã được đánh giá, xếp loại"))
            else:
                names = [str(bands.get(code, code)) for code in chosen]
                conditions.append(_("xếp loại %s") % _(" hoặc ").join(names))
        return _("Đếm tổ chức đang tồn tại: %s") % ", ".join(conditions)
    return ""


def _report(measure: Mapping[str, Any], labels: Mapping[str, Mapping[str, str]]) -> str:
    form = measure.get("report", "")
    fields = labels.get(form, {})

    def label(key: str) -> str:
        return _quoted(fields.get(key, key))

    if measure.get("count"):
        return _("Đếm báo cáo đã duyệt")
    if "count_if" in measure:
        return _("Đếm báo cáo đã duyệt có %s") % label(measure["count_if"])
    if "sum" in measure and "times" in measure:
        return _("Tổng của %(a)s × %(b)s trên các báo cáo đã duyệt") % {
            "a": label(measure["sum"]),
            "b": label(measure["times"]),
        }
    if "sum" in measure and "where" in measure:
        return _("Tổng %(a)s của các báo cáo đã duyệt có ghi %(b)s") % {
            "a": label(measure["sum"]),
            "b": label(measure["where"]),
        }
    if "sum" in measure:
        return _("Tổng %s của các báo cáo đã duyệt") % label(measure["sum"])
    return ""


def _ratio(measure: Mapping[str, Any], names: Mapping[str, str]) -> str:
    numerator, denominator = (names.get(code, code) for code in measure["ratio"])
    text = f"{_quoted(numerator)} / {_quoted(denominator)}"
    scale = measure.get("scale", 1)
    return f"{text} × {scale:g}" if scale != 1 else text


def describe(
    indicator: Indicator, names: Mapping[str, str], labels: Mapping[str, Mapping[str, str]]
) -> str:
    """The indicator's computation in words; its stored formula when the measure is of a shape
    this module does not know."""
    measure = indicator.measure or {}
    if "registry" in measure:
        text = _registry(measure)
    elif "report" in measure:
        text = _report(measure, labels)
    elif "ratio" in measure:
        text = _ratio(measure, names)
    else:
        text = ""
    return text or indicator.formula


def catalogue(english: bool) -> list[dict[str, Any]]:
    """The published indicators as the catalogue page shows them: name, definition, formula in
    words and breakdowns in the page's language (a ratio names its parts, published or not)."""
    every = list(Indicator.objects.all())
    names = {i.code: (i.name_en if english and i.name_en else i.name) for i in every}
    labels = field_labels()
    return [
        {
            "indicator": i,
            "name": names[i.code],
            "definition": i.definition_en if english and i.definition_en else i.definition,
            "formula": describe(i, names, labels),
            "dimensions": dimensions(i.disaggregations or []),
        }
        for i in every
        if i.is_published
    ]
