"""Form definitions as data: fields, typed input, rules and outlier checks.

A definition is JSON (`FormVersion.definition`):
    {"fields": [{"key", "label": {"vi", "en"}, "type": "integer" | "boolean", "unit",
                 "min", "max", "required", "prefill"}],
     "rules": [{"code", "expr", "when", "severity": "error" | "warning", "field",
                "message": {"vi", "en"}}],
     "outliers": {"ratio": 3, "min_base": 10, "fields": [...]}}
Rules are expressions over the field keys (and the respondent's `kind`), evaluated over a
whitelist of syntax nodes and type-checked when the definition is read (text never goes into
arithmetic, a rule cannot fail at submission): form data is never code.
"""

import ast
import functools
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from htxso.core.values import format_number, parse_bool, parse_integer

INTEGER = "integer"
BOOLEAN = "boolean"
ERROR = "error"
WARNING = "warning"
OUTLIER = "outlier"

# Numbers and yes/no as typed: `htxso.core.values` (one rule for forms and files). No figure
# of a report comes near its LIMIT; the cube's 64-bit cells must hold sums of many.
MAX_EXPRESSION = 500  # characters of one rule (the evaluator recurses over its tree)

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
            return parse_bool(raw)
        try:
            value = parse_integer(raw)
        except ValidationError as exc:
            if exc.code != "invalid":  # a decimal comma, a fraction, too large: said as is
                raise
            raise ValidationError(
                _("“%(value)s” không phải là số nguyên: nhập số, ví dụ 5.000.000.")
                % {"value": raw},
                code="invalid",
            ) from None
        if self.min is not None and value < self.min:
            raise ValidationError(
                _("Giá trị không được nhỏ hơn %(min)s.") % {"min": format_number(self.min)}
            )
        if self.max is not None and value > self.max:
            raise ValidationError(
                _("Giá trị không được lớn hơn %(max)s.") % {"max": format_number(self.max)}
            )
        return value


def _check_field(field: "Field") -> None:
    if not isinstance(field.key, str) or not field.key.isidentifier() or field.key == "kind":
        raise ValidationError(_("Mã trường “%s” không hợp lệ.") % field.key)
    if field.type not in (INTEGER, BOOLEAN):
        raise ValidationError(
            _("Trường %(key)s có kiểu không hỗ trợ: %(type)s")
            % {"key": field.key, "type": field.type}
        )
    if not isinstance(field.label, Mapping) or not field.label.get("vi"):
        raise ValidationError(_("Trường %s cần tên tiếng Việt.") % field.key)
    for bound in (field.min, field.max):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
            raise ValidationError(_("Giới hạn của trường %s phải là số nguyên.") % field.key)
    if field.min is not None and field.max is not None and field.min > field.max:
        raise ValidationError(_("Trường %s có giới hạn dưới lớn hơn giới hạn trên.") % field.key)


def _check_rule(rule: "Rule", by_key: Mapping[str, "Field"], types: Mapping[str, str]) -> None:
    if rule.severity not in (ERROR, WARNING):
        raise ValidationError(
            _("Quy tắc %(code)s có mức độ không hợp lệ: %(severity)s")
            % {"code": rule.code, "severity": rule.severity}
        )
    if rule.field and rule.field not in by_key:
        raise ValidationError(_("Quy tắc %s gắn với trường không có.") % rule.code)
    if not isinstance(rule.message, Mapping) or not rule.message.get("vi"):
        raise ValidationError(_("Quy tắc %s cần thông báo tiếng Việt.") % rule.code)
    if not isinstance(rule.expr, str) or not rule.expr.strip():
        raise ValidationError(_("Quy tắc %s không có biểu thức.") % rule.code)
    for expr in filter(None, (rule.expr, rule.when)):
        if not isinstance(expr, str):
            raise ValidationError(_("Quy tắc %s: biểu thức phải là chuỗi.") % rule.code)
        unknown = _names(expr) - set(types)
        if unknown:
            raise ValidationError(
                _("Quy tắc %(code)s dùng trường không có: %(names)s")
                % {"code": rule.code, "names": ", ".join(sorted(unknown))}
            )
        _typed(_parse(expr).body, types, expr)


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
            outliers = data.get("outliers") or {}
            self.outlier_ratio = float(outliers.get("ratio", 0) or 0)
            self.outlier_min_base = int(outliers.get("min_base", 0) or 0)
            self.outlier_fields = list(outliers.get("fields", []))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValidationError(_("Định nghĩa biểu mẫu sai cấu trúc: %s") % exc) from exc
        for field in self.fields:
            _check_field(field)
        self.by_key = {f.key: f for f in self.fields}
        if len(self.by_key) != len(self.fields):
            raise ValidationError(_("Định nghĩa biểu mẫu có trường trùng mã."))
        types = {f.key: _BOOL if f.type == BOOLEAN else _NUM for f in self.fields}
        types["kind"] = _STR
        for rule in self.rules:
            _check_rule(rule, self.by_key, types)
        if len({r.code for r in self.rules}) != len(self.rules):
            raise ValidationError(_("Định nghĩa biểu mẫu có quy tắc trùng mã."))
        if not set(self.outlier_fields) <= set(self.by_key):
            raise ValidationError(_("Kiểm tra bất thường dùng trường không có."))
        if any(self.by_key[k].type != INTEGER for k in self.outlier_fields):
            raise ValidationError(_("Kiểm tra bất thường chỉ áp dụng cho trường số."))

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
                ratio = f"{self.outlier_ratio:g}"
                out.append(
                    {
                        **_finding(
                            "outlier",
                            OUTLIER,
                            key,
                            {
                                "vi": f"{label.get('vi', key)}: {format_number(now)} so với "
                                f"{format_number(before)} kỳ trước (chênh lệch quá "
                                f"{ratio.replace('.', ',')} lần).",
                                "en": f"{label.get('en') or label.get('vi', key)}: {now:,} "
                                f"against {before:,} in the previous period "
                                f"(more than {ratio}×).",
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


_NUM, _BOOL, _STR, _TUPLE = "number", "boolean", "text", "list"
_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _typed(node: ast.AST, types: Mapping[str, str], expr: str) -> str:
    """The type of an expression over typed fields, refusing what cannot be evaluated (text
    in arithmetic, ordering text against a number, `in` over a non-list): a definition that
    would fail at submission is refused when it is issued."""

    def wrong() -> ValidationError:
        return ValidationError(_("Biểu thức sai kiểu dữ liệu: %s") % expr)

    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return _BOOL
        if isinstance(node.value, int | float):
            return _NUM
        if isinstance(node.value, str):
            return _STR
        raise wrong()
    if isinstance(node, ast.Name):
        return types[node.id]
    if isinstance(node, ast.Tuple):
        for element in node.elts:
            if _typed(element, types, expr) == _TUPLE:
                raise wrong()
        return _TUPLE
    if isinstance(node, ast.UnaryOp):
        operand = _typed(node.operand, types, expr)
        if isinstance(node.op, ast.Not):
            return _BOOL
        if operand != _NUM:
            raise wrong()
        return _NUM
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _typed(value, types, expr)
        return _BOOL
    if isinstance(node, ast.BinOp):
        if _typed(node.left, types, expr) != _NUM or _typed(node.right, types, expr) != _NUM:
            raise wrong()
        return _NUM
    if isinstance(node, ast.Compare):
        left = _typed(node.left, types, expr)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _typed(comparator, types, expr)
            if isinstance(op, ast.In | ast.NotIn):
                if right != _TUPLE or left == _TUPLE:
                    raise wrong()
            elif isinstance(op, _ORDER):
                if left != right or left not in (_NUM, _STR):
                    raise wrong()
            elif {left, right} - {_NUM, _BOOL} and left != right:
                raise wrong()  # text == number is always false: a mistake
            left = right
        return _BOOL
    raise wrong()


@functools.lru_cache(maxsize=2048)  # the trees are only read; a refusal is not cached
def _parse(expr: str) -> ast.Expression:
    if len(expr) > MAX_EXPRESSION:
        raise ValidationError(_("Biểu thức quá dài: %s…") % expr[:40])
    try:
        tree = ast.parse(expr, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
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
