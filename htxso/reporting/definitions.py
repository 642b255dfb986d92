"""Form definitions as data: fields, typed input, rules and outlier checks.

A definition is JSON (`FormVersion.definition`):
    {"fields": [{"key", "label": {"vi", "en"}, "type": "integer" | "boolean", "unit",
                 "min", "max", "required", "prefill"}],
     "rules": [{"code", "expr", "when", "severity": "error" | "warning", "field",
                "message": {"vi", "en"}}],
     "outliers": {"ratio": 3, "min_base": 10, "fields": [...]}}
Rules are expressions over the field keys (and the respondent's `kind`), evaluated over a
whitelist of syntax nodes: form data is never code.
"""

import ast
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

INTEGER = "integer"
BOOLEAN = "boolean"
ERROR = "error"
WARNING = "warning"
OUTLIER = "outlier"

_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^-?\d+$")
_TRUE = {"1", "true", "có", "co", "x", "yes", "đúng"}
_FALSE = {"0", "false", "không", "khong", "no", "sai"}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Tuple,
    ast.In,
    ast.NotIn,
    *_BINARY,
    *_COMPARE,
)


class _Missing(Exception):
    """A rule refers to a value that was not given: the rule does not apply."""


def localised(text: Mapping[str, str] | str) -> str:
    if isinstance(text, str):
        return text
    lang = (get_language() or "vi")[:2]
    return text.get(lang) or text.get("vi") or ""


@dataclass(frozen=True)
class Field:
    key: str
    label: Mapping[str, str]
    type: str = INTEGER
    unit: str = ""
    min: int | None = 0
    max: int | None = None
    required: bool = False
    prefill: str | None = None

    @property
    def title(self) -> str:
        return localised(self.label)

    def parse(self, raw: Any) -> int | bool | None:
        """The typed value of what a person typed (Vietnamese number style) or a file held."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if self.type == BOOLEAN:
            return _boolean(raw)
        value = _integer(raw)
        if self.min is not None and value < self.min:
            raise ValidationError(_("Giá trị không được nhỏ hơn %(min)s.") % {"min": self.min})
        if self.max is not None and value > self.max:
            raise ValidationError(_("Giá trị không được lớn hơn %(max)s.") % {"max": self.max})
        return value


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(_("Chọn “Có” hoặc “Không”."))


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValidationError(_("Cần một số nguyên."))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise ValidationError(_("Cần một số nguyên, không có phần thập phân."))
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if _PLAIN.match(text):
        return int(text)
    if _THOUSANDS.match(text):
        return int(text.replace(".", ""))
    if "," in text:
        raise ValidationError(
            _(
                "“%(value)s” không phải số nguyên: không dùng dấu phẩy; "
                "hàng nghìn ngăn cách bằng dấu chấm (1.250.000)."
            )
            % {"value": raw}
        )
    raise ValidationError(_("“%(value)s” không phải là một số nguyên.") % {"value": raw})


@dataclass(frozen=True)
class Rule:
    code: str
    expr: str
    message: Mapping[str, str]
    severity: str = ERROR
    when: str = ""
    field: str = ""


class Definition:
    """A parsed, checked definition (raises ValidationError on a malformed one)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        try:
            self.fields = [Field(**f) for f in data["fields"]]
            self.rules = [Rule(**r) for r in data.get("rules", [])]
        except (KeyError, TypeError) as exc:
            raise ValidationError(_("Định nghĩa biểu mẫu sai cấu trúc: %s") % exc) from exc
        outliers = data.get("outliers") or {}
        self.outlier_ratio = float(outliers.get("ratio", 0) or 0)
        self.outlier_min_base = int(outliers.get("min_base", 0) or 0)
        self.outlier_fields = list(outliers.get("fields", []))
        self.by_key = {f.key: f for f in self.fields}
        if len(self.by_key) != len(self.fields):
            raise ValidationError(_("Định nghĩa biểu mẫu có trường trùng mã."))
        names = set(self.by_key) | {"kind"}
        for rule in self.rules:
            for expr in filter(None, (rule.expr, rule.when)):
                unknown = _names(expr) - names
                if unknown:
                    raise ValidationError(
                        _("Quy tắc %(code)s dùng trường không có: %(names)s")
                        % {"code": rule.code, "names": ", ".join(sorted(unknown))}
                    )
        if not set(self.outlier_fields) <= set(self.by_key):
            raise ValidationError(_("Kiểm tra bất thường dùng trường không có."))

    def parse(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """(typed values, errors by field key) of raw input; unknown keys are ignored."""
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for field in self.fields:
            if field.key not in raw:
                continue
            try:
                value = field.parse(raw[field.key])
            except ValidationError as exc:
                errors[field.key] = list(exc.messages)
                continue
            if value is not None:
                values[field.key] = value
        return values, errors

    def check(
        self,
        values: Mapping[str, Any],
        kind: str = "",
        previous: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Findings on complete values: missing required fields and failed rules (errors or
        warnings), and outliers against the previous approved period (warnings for the
        reviewer). Each finding carries its message in Vietnamese and English."""
        found: list[dict[str, Any]] = []
        for field in self.fields:
            if field.required and values.get(field.key) is None:
                found.append(
                    _finding(
                        "required",
                        ERROR,
                        field.key,
                        {"vi": "Bắt buộc nhập.", "en": "This field is required."},
                    )
                )
        scope = {**{f.key: values.get(f.key) for f in self.fields}, "kind": kind}
        for rule in self.rules:
            try:
                if rule.when and not evaluate(rule.when, scope):
                    continue
                if evaluate(rule.expr, scope):
                    continue
            except _Missing:
                continue
            found.append(_finding(rule.code, rule.severity, rule.field, rule.message))
        if previous and self.outlier_ratio > 1:
            found.extend(self._outliers(values, previous))
        return found

    def _outliers(self, values: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict]:
        out = []
        for key in self.outlier_fields:
            now, before = values.get(key), previous.get(key)
            if not isinstance(now, int) or not isinstance(before, int):
                continue
            if max(abs(now), abs(before)) < max(self.outlier_min_base, 1):
                continue
            base = max(abs(before), 1)
            if abs(now) > base * self.outlier_ratio or abs(now) * self.outlier_ratio < base:
                label = self.by_key[key].label
                out.append(
                    {
                        **_finding(
                            "outlier",
                            OUTLIER,
                            key,
                            {
                                "vi": f"{label.get('vi', key)}: {now:,} so với {before:,} kỳ trước "
                                f"(chênh lệch quá {self.outlier_ratio:g} lần).".replace(",", "."),
                                "en": f"{label.get('en', key)}: {now:,} against {before:,} in "
                                f"the previous period (more than {self.outlier_ratio:g}×).",
                            },
                        ),
                        "previous": before,
                    }
                )
        return out


def _finding(code: str, severity: str, field: str, message: Mapping[str, str]) -> dict[str, Any]:
    return {
        "code": code,
        "severity": severity,
        "field": field,
        "vi": message.get("vi", ""),
        "en": message.get("en") or message.get("vi", ""),
    }


def _names(expr: str) -> set[str]:
    return {n.id for n in ast.walk(_parse(expr)) if isinstance(n, ast.Name)}


def _parse(expr: str) -> ast.Expression:
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise ValidationError(_("Biểu thức sai cú pháp: %s") % expr) from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ValidationError(_("Biểu thức dùng cú pháp không được phép: %s") % expr)
    return tree


def evaluate(expr: str, scope: Mapping[str, Any]) -> Any:
    """Evaluate a whitelisted expression; a missing (None) value raises _Missing."""
    return _eval(_parse(expr).body, scope)


def _eval(node: ast.AST, scope: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = scope.get(node.id)
        if value is None:
            raise _Missing(node.id)
        return value
    if isinstance(node, ast.Tuple):
        return tuple(_eval(e, scope) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, scope)
        return (not operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.BoolOp):
        results = (_eval(v, scope) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, scope), _eval(node.right, scope)
        if isinstance(node.op, ast.Div) and right == 0:
            raise _Missing("division by zero")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, scope)
            if isinstance(op, ast.In | ast.NotIn):
                ok = (left in right) if isinstance(op, ast.In) else (left not in right)
            else:
                ok = _COMPARE[type(op)](left, right)
            if not ok:
                return False
            left = right
        return True
    raise ValidationError(_("Biểu thức dùng cú pháp không được phép."))
