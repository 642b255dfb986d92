"""The bank's side of payment: a signed notice that a transfer for an order arrived.

No bank is connected today; this is the interface one calls. The request is JSON
`{"reference": "DH…", "amount": 250000}` with two headers:

    X-Htxso-Timestamp: <unix seconds>
    X-Htxso-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret>

The secret is `MARKETPLACE_BANK_WEBHOOK_SECRET` (unset: the endpoint answers 503). A notice
older or newer than 5 minutes is refused (replay). A repeated notice of a paid order answers
200 again (idempotent). The write is `services.payment_received` (audited, system actor)."""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .models import Order

WINDOW_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _refuse(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def bank_webhook(request: HttpRequest) -> JsonResponse:
    secret = settings.MARKETPLACE_BANK_WEBHOOK_SECRET
    if not secret:
        return _refuse(503, _("Chưa cấu hình khóa ký của ngân hàng."))
    timestamp = request.headers.get("X-Htxso-Timestamp", "")
    given = request.headers.get("X-Htxso-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > WINDOW_SECONDS:
        return _refuse(401, _("Thiếu hoặc sai thời điểm ký (quá 5 phút)."))
    if not hmac.compare_digest(sign(secret, timestamp, request.body), given):
        return _refuse(401, _("Chữ ký không hợp lệ."))
    try:
        body = json.loads(request.body)
        reference, amount = str(body["reference"]), body["amount"]
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return _refuse(400, _("Nội dung phải là JSON có reference (chuỗi) và amount (số nguyên)."))
    try:
        order = services.payment_received(reference, amount)
    except Order.DoesNotExist:
        return _refuse(404, _("Không có đơn hàng mã này."))
    except ValidationError as exc:
        return _refuse(422, " ".join(exc.messages))
    return JsonResponse({"reference": order.reference, "paid": True, "version": order.version})
