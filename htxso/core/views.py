"""Account pages: a user's own API tokens (issued once in clear, revocable), and the columns
they chose for a list."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .lists import LISTS, remember_columns
from .models import ApiToken
from .tokens import issue_token, revoke_token


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in (login_required)
    issued = None
    error = ""
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()
        if not name or len(name) > 100:
            error = _("Hãy đặt tên cho khóa (tối đa 100 ký tự), ví dụ hệ thống sẽ dùng nó.")
        else:
            issued = issue_token(user, user, name)
    context = {
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
        "issued": issued,
        "error": error,
    }
    return render(request, "core/tokens.html", context, status=422 if error else 200)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(request.user, token)
    messages.success(request, _("Đã thu hồi khóa %(prefix)s.") % {"prefix": token.prefix})
    return redirect("tokens")


@require_POST
def list_columns(request: HttpRequest) -> HttpResponse:
    """The UI kit's column chooser (`core/lists.py`): remember the checked columns of a list
    (`reset`: back to its defaults), then go back to the list."""
    spec = LISTS.get(request.POST.get("list", ""))
    if spec is None:
        raise Http404(_("Không có danh sách này."))
    keys = None if "reset" in request.POST else request.POST.getlist("columns")
    try:
        remember_columns(request, spec, keys)
    except ValidationError as exc:
        return HttpResponseBadRequest(
            " ".join(exc.messages), content_type="text/plain; charset=utf-8"
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    return redirect(back)
