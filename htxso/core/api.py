"""The REST API `/api/v1/`: one NinjaAPI, its authentication, throttling and error shape.

Every error, whatever raised it, answers with the same JSON:

    {"code": "validation_error",
     "message": {"vi": "…", "en": "…"},
     "errors": [{"field": "tax_code", "message": {"vi": "…", "en": "…"}}]}

Vietnamese strings are the msgids of the translation catalogue, so the English text is the
catalogue's translation of the same message (API requests run with Vietnamese active).
"""

from collections.abc import Callable
from typing import Any

import pydantic_core
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import BaseRenderer
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle
from ninja.utils import check_csrf

from . import tokens, twofactor
from .models import User
from .throttle import SlidingWindowCounter

PYDANTIC_MESSAGES = {
    "missing": gettext_noop("Thiếu trường bắt buộc."),
    "string_too_long": gettext_noop("Chuỗi quá dài."),
    "string_too_short": gettext_noop("Chuỗi quá ngắn."),
    "int_parsing": gettext_noop("Phải là số nguyên."),
    "int_type": gettext_noop("Phải là số nguyên."),
    "date_from_datetime_parsing": gettext_noop("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
    "date_parsing": gettext_noop("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
    "datetime_parsing": gettext_noop("Thời điểm không hợp lệ (định dạng ISO 8601)."),
    "datetime_from_date_parsing": gettext_noop("Thời điểm không hợp lệ (định dạng ISO 8601)."),
    "literal_error": gettext_noop("Giá trị không nằm trong danh sách cho phép."),
    "enum": gettext_noop("Giá trị không nằm trong danh sách cho phép."),
    "bool_parsing": gettext_noop("Phải là true hoặc false."),
    "greater_than_equal": gettext_noop("Giá trị quá nhỏ."),
    "less_than_equal": gettext_noop("Giá trị quá lớn."),
    "json_invalid": gettext_noop("Nội dung JSON không hợp lệ."),
    "model_attributes_type": gettext_noop("Nội dung phải là một đối tượng JSON."),
    "dict_type": gettext_noop("Nội dung phải là một đối tượng JSON."),
    "extra_forbidden": gettext_noop("Trường không được phép."),
}
GENERIC_INVALID = gettext_noop("Giá trị không hợp lệ.")


def bilingual(message: Any, params: dict | None = None) -> dict[str, str]:
    """{"vi": …, "en": …} for a Vietnamese msgid (optionally with %-parameters), or for a lazy
    message of Django's own (an English msgid, e.g. EmailValidator's): that one is rendered
    in each language, not rendered once in Vietnamese and then looked up as if an id."""
    out = {}
    for language in ("vi", "en"):
        with translation.override(language):
            text = translation.gettext(str(message))
        try:
            out[language] = text % params if params else text
        except (KeyError, TypeError, ValueError):
            out[language] = text
    return out


def error_body(code: str, message: str, errors: list[dict] | None = None) -> dict:
    return {"code": code, "message": bilingual(message), "errors": errors or []}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer htx_…`. A wrong token is a 401, never a silent fall-back."""

    openapi_description = "Khóa API cá nhân (htx_…), cấp trong trang tài khoản hoặc bằng lệnh."

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = tokens.authenticate(token)
        if user is None:
            raise AuthenticationError(
                401, gettext_noop("Khóa API không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
            )
        if twofactor.otp_required(user) and not twofactor.has_device(user):
            # A role that must sign in with two factors may not work around them with a token
            # issued before the rule (or before it enrolled).
            raise PermissionDenied(twofactor.OTP_REQUIRED_MESSAGE)
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in session of the pages, CSRF-checked on writes.

    Unlike ninja's `django_auth`, the CSRF check runs only when the session has a user: a
    request with no one signed in has nothing to forge, so it goes on to the 401 that every
    unauthenticated write gets (ninja's class answered such a write 403 "CSRF check Failed"
    in production, 401 in the test client, which skips CSRF). A signed-in write without a
    valid CSRF token is `CsrfFailed` (403, code `csrf_failed`)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "Phiên đăng nhập của trang web (cookie). Thao tác ghi cần thêm tiêu đề X-CSRFToken."
    )

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, once a user is known

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
            raise CsrfFailed()
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> None:  # pragma: no cover
        return None  # __call__ decides; required by the abstract base


class CsrfFailed(Exception):
    """A session-authenticated write without a valid CSRF token."""


class Public:
    """The last of READ_AUTH: public reads need no login. In the OpenAPI document it adds
    the empty security requirement `{}`, so a read says "token, session, or nothing"."""

    def __call__(self, request: HttpRequest) -> User | AnonymousUser | None:
        if "HTTP_AUTHORIZATION" in request.META:
            return None  # a bearer header that TokenAuth did not accept never becomes anonymous
        return request.user if request.user.is_authenticated else AnonymousUser()


anonymous = Public()


class AnonymousThrottle(SlidingWindowCounter, AnonRateThrottle):
    """Per client IP, for requests without a signed-in user (`anonymous()` returns an
    AnonymousUser as `request.auth`, which ninja's stock class takes for a login)."""

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if getattr(request.auth, "is_authenticated", False):  # type: ignore[attr-defined]
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserThrottle(SlidingWindowCounter, AuthRateThrottle):
    """Per signed-in user; anonymous requests are the other class's business."""

    def get_cache_key(self, request: HttpRequest) -> str | None:  # type: ignore[override]
        auth: Any = getattr(request, "auth", None)
        if not getattr(auth, "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"user:{auth.pk}"}


WRITE_AUTH: list[Callable[..., Any]] = [TokenAuth(), SessionAuth()]
READ_AUTH: list[Callable[..., Any]] = [*WRITE_AUTH, anonymous]


class JSONRenderer(BaseRenderer):
    """JSON through pydantic-core's serialiser (already a dependency): dates and decimals
    without a Python `default()` call per value."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return pydantic_core.to_json(data)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONParser(Parser):
    """Ninja's JSON parser, refusing text with a NUL character (PostgreSQL cannot store it;
    Django's forms refuse it too)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if _has_nul(data):
            raise ValidationError(gettext_noop("Dữ liệu có ký tự NUL, không hợp lệ."))
        return data


class _Schema(OpenAPISchema):
    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        security = super().operation_security(operation)
        if security and any(isinstance(auth, Public) for auth in operation.auth_callbacks):
            security.append({})  # OpenAPI's "no credentials needed" alternative
        return security


class HtxNinjaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _Schema(api=self, path_prefix=path_prefix)


DESCRIPTION = """API của cơ sở dữ liệu chuyên ngành về kinh tế tập thể (HTX Số).

Lỗi luôn có dạng `{code, message: {vi, en}, errors: [{field, message}]}`: mọi mã 4xx/5xx
dưới /api/v1/, kể cả đường dẫn không tồn tại (404) và phương thức không hỗ trợ (405).

Xác thực: `Authorization: Bearer htx_…` hoặc cookie phiên đăng nhập của trang web. Thao tác
có `{}` trong `security` là thao tác đọc công khai, không cần đăng nhập.
- Thiếu thông tin xác thực ở thao tác cần đăng nhập: 401 `unauthenticated`.
- Khóa API sai, hết hạn hoặc đã thu hồi: luôn 401, kể cả khi đọc công khai.
- Ghi bằng phiên đăng nhập mà thiếu hoặc sai tiêu đề `X-CSRFToken`: 403 `csrf_failed`.
  Dùng khóa API thì không cần mã CSRF.
- Trường không xác định hoặc chỉ đọc trong nội dung yêu cầu: 422, nêu tên từng trường.
- Thời điểm (`updated_since`, `since`): ISO 8601 / RFC 3339 có múi giờ; dạng khác: 422.
"""

api = HtxNinjaAPI(
    renderer=JSONRenderer(),
    parser=JSONParser(),
    title="HTX Số API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=READ_AUTH,
    throttle=[
        AnonymousThrottle(settings.API_RATE_ANONYMOUS),
        UserThrottle(settings.API_RATE_AUTHENTICATED),
    ],
)


def _respond(request: HttpRequest, status: int, body: dict) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def _ninja_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if loc and loc[0] in ("query", "path", "header", "cookie", "form", "file"):
            loc = loc[1:]  # where it was sent is not part of the field's name
        location = [str(part) for part in loc if part not in ("body", "payload")]
        errors.append(
            {
                "field": ".".join(location),
                "message": bilingual(PYDANTIC_MESSAGES.get(error.get("type", ""), GENERIC_INVALID)),
            }
        )
    return _respond(
        request, 422, error_body("validation_error", gettext_noop("Dữ liệu không hợp lệ."), errors)
    )


@api.exception_handler(ValidationError)
def _django_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            for error in field_errors:
                errors.append(
                    {
                        "field": "" if field == "__all__" else field,
                        "message": bilingual(error.message, error.params),
                    }
                )
    else:
        for error in exc.error_list:
            errors.append({"field": "", "message": bilingual(error.message, error.params)})
    body = error_body("validation_error", gettext_noop("Dữ liệu không hợp lệ."), errors)
    if len(errors) == 1:
        body["message"] = errors[0]["message"]
    return _respond(request, 422, body)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or gettext_noop("Bạn không có quyền thực hiện thao tác này.")
    return _respond(request, 403, error_body("forbidden", message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _respond(
        request, 404, error_body("not_found", gettext_noop("Không tìm thấy đối tượng."))
    )


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _not_found(request, exc)


@api.exception_handler(CsrfFailed)
def _csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    message = gettext_noop("Thiếu hoặc sai mã CSRF; hãy tải lại trang rồi thử lại.")
    return _respond(request, 403, error_body("csrf_failed", message))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = (
        str(exc.message)
        if getattr(exc, "message", None)
        else gettext_noop("Cần đăng nhập hoặc khóa API.")
    )
    if message in ("Unauthorized", ""):
        message = gettext_noop("Cần đăng nhập hoặc khóa API.")
    return _respond(request, 401, error_body("unauthenticated", message))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ValidationError):  # the body parser refused its content
        return _django_invalid(request, exc.__cause__)
    codes = {
        400: ("bad_request", gettext_noop("Nội dung yêu cầu không đọc được (JSON không hợp lệ).")),
        401: ("unauthenticated", gettext_noop("Cần đăng nhập hoặc khóa API.")),
        403: ("forbidden", gettext_noop("Bạn không có quyền thực hiện thao tác này.")),
        404: ("not_found", gettext_noop("Không tìm thấy đối tượng.")),
        405: ("method_not_allowed", gettext_noop("Phương thức không được hỗ trợ.")),
        409: ("conflict", str(exc.message)),
        429: ("rate_limited", gettext_noop("Quá nhiều yêu cầu; vui lòng thử lại sau.")),
    }
    code, message = codes.get(exc.status_code, ("error", str(exc.message)))
    response = _respond(request, exc.status_code, error_body(code, message))
    if exc.status_code == 429:
        response["Retry-After"] = "60"
    return response


API_PREFIX = "/api/v1/"
# What the middleware answers for an error that reached it without the JSON shape.
STATUS_ERRORS = {
    400: ("bad_request", gettext_noop("Yêu cầu không hợp lệ.")),
    401: ("unauthenticated", gettext_noop("Cần đăng nhập hoặc khóa API.")),
    403: ("forbidden", gettext_noop("Bạn không có quyền thực hiện thao tác này.")),
    404: ("not_found", gettext_noop("Không tìm thấy đối tượng.")),
    405: ("method_not_allowed", gettext_noop("Phương thức không được hỗ trợ.")),
}
SERVER_ERROR = ("server_error", gettext_noop("Lỗi hệ thống; xin vui lòng thử lại sau."))


class ApiLanguageMiddleware:
    """API requests run in Vietnamese: messages are then catalogue ids, and `bilingual`
    gives both languages whatever the client's Accept-Language.

    It also keeps the API's promise of one error shape for what ninja never sees: a path
    under /api/v1/ that no route matches (`/organisations/abc` misses `{int:pk}`), a method
    a path does not have (ninja's plain-text 405), an error page from Django. Any 4xx/5xx
    under /api/v1/ that is not JSON is answered in the JSON shape (headers such as `Allow`
    kept). Placed before CommonMiddleware in settings, it sees the final response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            translation.activate("vi")
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return self._as_json(request, response)
        return response

    def _as_json(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        default = SERVER_ERROR if status >= 500 else ("error", STATUS_ERRORS[400][1])
        code, message = STATUS_ERRORS.get(status, default)
        replaced = api.create_response(request, error_body(code, message), status=status)
        for header in ("Allow", "Retry-After"):
            if header in response:
                replaced[header] = response[header]
        return replaced


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Last resort: logged with its traceback, answered in the one error shape."""
    import logging

    logging.getLogger("htxso.api").exception("Unhandled API error", exc_info=exc)
    return _respond(
        request,
        500,
        error_body("server_error", gettext_noop("Lỗi hệ thống; xin vui lòng thử lại sau.")),
    )
