"""What every registry service shares: permission to edit, the stale-edit error, validating and
saving one object, and the small field rules (blank text, tax codes, no future dates)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import CharField
from django.utils.translation import gettext as _

from htxso.core.mst import normalise_tax_code
from htxso.core.scoping import Action, Kind, may

from ..models import Organisation


def may_write_people(actor: Any) -> bool:
    """Whether `actor` may record people and their memberships at all (`core.scoping.TABLE`,
    personal data, edit); which people is `Person.objects.editable_by`."""
    return may(actor, Action.EDIT, Kind.PERSONAL)


def require_editable(actor: Any, organisation: Organisation) -> None:
    if actor is None:
        return
    if not Organisation.objects.editable_by(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền thay đổi tổ chức này."))


def clean_and_save(obj: models.Model, **save_kwargs: Any) -> None:
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save(**save_kwargs)
    except IntegrityError as exc:  # a race that full_clean could not see
        raise ValidationError(_("Dữ liệu vi phạm ràng buộc của cơ sở dữ liệu: %s") % exc) from exc


def blank_text(obj: models.Model) -> None:
    """Optional text left out (None) is stored as "", the empty value of a text column."""
    for field in obj._meta.concrete_fields:
        if isinstance(field, CharField) and not field.null and getattr(obj, field.attname) is None:
            setattr(obj, field.attname, "")


def tax_code_or_none(value: str | None) -> str | None:
    """The normal form of a tax code, None when blank; errors are reported on the field."""
    if not value:
        return None
    try:
        return normalise_tax_code(value)
    except ValidationError as exc:
        raise ValidationError({"tax_code": exc.error_list}) from None


def check_not_future(day: dt.date, label: str) -> None:
    if day > dt.date.today():
        raise ValidationError({label: _("Ngày không được ở tương lai.")})


def require_person_writer(actor: Any) -> None:
    if not may_write_people(actor):
        raise PermissionDenied(_("Bạn không có quyền thêm cá nhân."))
