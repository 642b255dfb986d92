"""An organisation's status: the dated history (StatusChange) and the current status with it."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot

from .. import aggregates
from ..choices import Status
from ..models import Organisation, StatusChange
from .common import check_not_future, require_editable
from .rules import check_founding_before_status


@transaction.atomic
@aggregates.keeping
def change_status(
    actor: Any,
    organisation_id: int,
    status: str,
    effective_on: dt.date,
    reason: str = "",
    document_no: str = "",
) -> StatusChange:
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    require_editable(actor, organisation)
    aggregates.touch([organisation.pk])
    if status not in Status.values:
        raise ValidationError({"status": _("Tình trạng không hợp lệ.")})
    check_not_future(effective_on, "effective_on")
    try:
        check_founding_before_status(organisation.established_on, effective_on)
    except ValidationError:
        raise ValidationError(
            {"effective_on": _("Ngày hiệu lực không được trước ngày thành lập.")}
        ) from None
    if effective_on < organisation.status_since:
        raise ValidationError(
            {
                "effective_on": _("Ngày hiệu lực phải sau lần thay đổi tình trạng gần nhất (%s).")
                % organisation.status_since.strftime("%d/%m/%Y")
            }
        )
    if status == organisation.status:
        raise ValidationError({"status": _("Tổ chức đang ở tình trạng này.")})
    before = snapshot(organisation)
    change = StatusChange.objects.create(
        organisation=organisation,
        status=status,
        effective_on=effective_on,
        reason=reason,
        document_no=document_no,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    Organisation.objects.filter(pk=organisation.pk).update(
        status=status, status_since=effective_on, version=F("version") + 1
    )
    organisation.refresh_from_db()
    record(actor, "change_status", organisation, before, snapshot(organisation))
    return change
