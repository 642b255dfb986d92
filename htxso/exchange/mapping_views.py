"""The mapping step of an import, between its upload and its dry run: the header row found
(the person may choose another), each column matched to a field (the person confirms or
changes it), the columns left out listed; confirming runs the dry run (`mapping.py`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from htxso.core.scoping import Action, may
from htxso.tabular.sources import FileError

from . import services
from .mapping import Proposal, propose
from .models import ImportJob
from .views import pages


def _header_row(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _page(
    request: HttpRequest, job: ImportJob, proposal: Proposal, status: int = 200
) -> HttpResponse:
    fields = [(c.key, str(c.header)) for c in proposal.layout.readable]
    rows = [
        (m.position, m.header, m.column.key if m.column else "", how, samples)
        for m, (_h, how, samples) in zip(proposal.matches, proposal.rows(), strict=True)
    ]
    return render(
        request,
        "exchange/mapping.html",
        {
            "job": job,
            "proposal": proposal,
            "fields": fields,
            "head": [
                (n, " | ".join(str(c)[:30] for c in cells if c not in (None, "")))
                for n, cells in proposal.head
            ],
            "rows": rows,
            "missing": [str(c.header) for c in proposal.missing],
            "may_edit": may(request.user, Action.EDIT, job),
        },
        status=status,
    )


@login_required
def job_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = (pages.editable_job if request.method == "POST" else pages.job)(request, pk)
    asked = _header_row(request.POST.get("header_row") or request.GET.get("header_row"))
    try:
        proposal = propose(job, asked if asked is not None else job.header_row)
    except FileError as exc:
        messages.error(request, str(exc))
        return redirect("exchange:job", pk=pk)
    if job.column_keys is not None and asked in (None, job.header_row):
        proposal.keys_override(job.column_keys)
    if request.method != "POST" or "confirm" not in request.POST:
        return _page(request, job, proposal)
    keys = [request.POST.get(f"column-{i}", "") for i in range(len(proposal.headers))]
    try:
        services.confirm_mapping(request.user, job, proposal.header_row, keys)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        proposal.keys_override(keys)
        return _page(request, job, proposal, status=400)
    services.start(request.user, job)
    messages.success(request, _("Đã lưu cách đọc cột; tệp đang được kiểm tra."))
    return redirect("exchange:job", pk=pk)
