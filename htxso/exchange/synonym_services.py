"""The write path of the synonym catalogue (`synonyms.py`): central officers add and remove
the words provinces use, from the catalogue page; each change audited, the cached catalogue
dropped so the next run reads it."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.scoping import Action, Kind, may

from . import synonyms
from .models import Synonym, SynonymKind


def may_edit(user: Any) -> bool:
    return may(user, Action.EDIT, Kind.CATALOGUE)


def _require_editor(actor: Any) -> None:
    if not may_edit(actor):
        raise PermissionDenied(_("Chỉ cán bộ trung ương được sửa danh mục từ đồng nghĩa."))


@transaction.atomic
def add_synonym(
    actor: Any, kind: str, layout: str, column: str, text: str, value: str = ""
) -> Synonym:
    _require_editor(actor)
    text = " ".join(str(text).split())
    if not text:
        raise ValidationError({"text": _("Hãy ghi cách viết.")})
    if kind == SynonymKind.HEADER:
        value = ""
        if column not in dict(synonyms.header_columns(layout)):
            raise ValidationError({"column": _("Trường không có trong tệp đã chọn.")})
    elif kind == SynonymKind.VALUE:
        layout = ""
        if column not in synonyms.VALUE_COLUMNS:
            raise ValidationError({"column": _("Cột này không có danh mục giá trị.")})
        if value not in dict(synonyms.value_choices(column)):
            raise ValidationError({"value": _("Giá trị không có trong danh mục của cột.")})
    else:
        raise ValidationError({"kind": _("Loại không hợp lệ.")})
    try:
        with transaction.atomic():
            synonym = Synonym.objects.create(
                kind=kind, layout=layout, column=column, text=text, value=value
            )
    except IntegrityError:
        raise ValidationError({"text": _("Cách viết này đã có trong danh mục.")}) from None
    record(actor, "create", synonym, None, snapshot(synonym))
    synonyms.forget()
    return synonym


@transaction.atomic
def delete_synonym(actor: Any, synonym_id: int) -> None:
    _require_editor(actor)
    synonym = Synonym.objects.select_for_update().filter(pk=synonym_id).first()
    if synonym is None:
        raise ValidationError(_("Từ này không còn trong danh mục."))
    record(actor, "delete", synonym, snapshot(synonym), None)
    synonym.delete()
    synonyms.forget()
