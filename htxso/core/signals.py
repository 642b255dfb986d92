"""Sign-ins and sign-outs in the audit log, whichever page or view performs them."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from .audit import record
from .lockout import clear_failures, client_ip
from .models import User


@receiver(user_logged_in, dispatch_uid="htxso-audit-login")
def audit_login(sender: type[User], request: HttpRequest, user: User, **kwargs: Any) -> None:
    clear_failures(user)
    record(user, "login", user, None, {"ip": client_ip(request)})


@receiver(user_logged_out, dispatch_uid="htxso-audit-logout")
def audit_logout(
    sender: type[User], request: HttpRequest, user: User | None, **kwargs: Any
) -> None:
    if user is not None:  # logging out without a session signs nobody out
        record(user, "logout", user, None, {"ip": client_ip(request)})
