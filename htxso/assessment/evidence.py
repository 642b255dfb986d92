"""Evidence attached to the criteria of a self-scoring: the manager adds (PDF, JPEG or PNG,
checked by its bytes through `core.uploads.store_document`, as registration's dossier files)
and removes them while they may edit the classification; the province reads them in review.
Each change moves the classification's version on (optimistic locking) and is audited; a
refused file leaves nothing stored, a removed one is deleted from the storage after commit."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.scoping import Action
from htxso.core.uploads import store_document

from .models import Classification, Evidence
from .services import _locked

UPLOAD_TO = "assessment/%Y/%m/"


def _touch(actor: Any, c: Classification) -> None:
    c.version += 1
    c.save(update_fields=["version", "updated_at"])


@transaction.atomic
def attach(
    actor: Any, pk: int, version: int, criterion: str, content: Any, filename: str
) -> Evidence:
    """A file of evidence for `criterion` of the classification `pk` (the manager's, while a
    draft or returned). Refused (nothing stored) when the criterion is not the rule set's,
    the criterion already has its files, or the file is not a PDF/JPEG/PNG by its bytes."""
    c = _locked(actor, pk, version, Action.EDIT)
    codes = {k["code"] for k in c.rule_set.definition["criteria"]}
    if criterion not in codes:
        raise ValidationError({"criterion": _("Hãy chọn một tiêu chí của bộ tiêu chí.")})
    limit = settings.ASSESSMENT_FILES_PER_CRITERION
    if c.evidence.filter(criterion=criterion).count() >= limit:
        raise ValidationError(
            {"file": _("Mỗi tiêu chí có tối đa %(n)s tệp minh chứng.") % {"n": limit}}
        )
    if content is None:
        raise ValidationError({"file": _("Hãy chọn tệp minh chứng.")})
    stored = store_document(
        content,
        filename,
        upload_to=UPLOAD_TO,
        max_bytes=settings.ASSESSMENT_MAX_FILE_BYTES,
    )
    try:
        row = Evidence.objects.create(
            classification=c,
            province_id=c.province_id,
            organisation_id=c.organisation_id,
            criterion=criterion,
            file=stored.name,
            filename=stored.filename,
            sha256=stored.sha256,
            size=stored.size,
            content_kind=stored.kind,
            uploaded_by_id=getattr(actor, "pk", None),
        )
        _touch(actor, c)
        record(actor, "attach", row, None, snapshot(row, exclude=("file",)))
    except BaseException:
        Evidence.file.field.storage.delete(stored.name)
        raise
    return row


@transaction.atomic
def remove(actor: Any, pk: int, version: int, evidence_id: int) -> Classification:
    """Remove a file of evidence (while the manager may edit the classification)."""
    c = _locked(actor, pk, version, Action.EDIT)
    row = c.evidence.filter(pk=evidence_id).first()
    if row is None:
        raise Evidence.DoesNotExist
    before = snapshot(row, exclude=("file",))
    name, storage = row.file.name, row.file.storage
    row.delete()
    _touch(actor, c)
    row.pk = evidence_id  # the audit entry names the removed row
    record(actor, "detach", row, before, None)
    transaction.on_commit(lambda: storage.delete(name))
    return c


def by_criterion(c: Classification) -> dict[str, list[Evidence]]:
    """The classification's evidence grouped by criterion (one query)."""
    out: dict[str, list[Evidence]] = {}
    for row in c.evidence.order_by("criterion", "id"):
        out.setdefault(row.criterion, []).append(row)
    return out
