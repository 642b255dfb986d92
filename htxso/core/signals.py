"""Sign-ins and sign-outs in the audit log, whichever page or view performs them."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .audit import record
from .lockout import clear_failures, client_ip


@receiver(user_logged_in, dispatch_uid="htxso-audit-login")
def audit_login(sender, request, user, **kwargs) -> None:
    clear_failures(user)
    record(user, "login", user, None, {"ip": client_ip(request)})


@receiver(user_logged_out, dispatch_uid="htxso-audit-logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:  # logging out without a session signs nobody out
        record(user, "logout", user, None, {"ip": client_ip(request)})
