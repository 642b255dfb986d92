"""Seller staff: a cooperative's manager invites people by e-mail to sell for the
organisation (a signed, single-use link, valid 7 days), sees who sells for it and revokes
them. Staff keep the organisation's products and move its orders on (`Reach.STAFF`); they do
not see its shop's bank account or its staff. Every write checks `Kind.STAFF` in
`core.access_table.TABLE` and leaves an audit entry."""

from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.scoping import Action, may
from htxso.core.versions import check_version
from htxso.registry.choices import Status as OrganisationStatus
from htxso.registry.models import Organisation

from .staff_models import SellerStaff, StaffInvitation

SALT = "htxso.marketplace.staff"
VALID_SECONDS = 7 * 24 * 3600


def selling_for(user: Any, wanted: Any = None) -> Organisation | None:
    """The organisation `user` works for as a seller: `wanted` (an id) if they may, else their
    own (a manager), else the first they were invited to sell for."""
    if not getattr(user, "is_authenticated", False):
        return None
    ids = list(
        SellerStaff.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True)
    )
    own = getattr(user, "organisation_id", None)
    try:
        chosen = int(wanted) if wanted else (own or (ids[0] if ids else None))
    except (TypeError, ValueError):
        return None
    return Organisation.objects.filter(pk=chosen).first() if chosen else None


def token_for(invitation: StaffInvitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=SALT)


def _may_manage(actor: Any, organisation: Organisation) -> None:
    probe = StaffInvitation(organisation_id=organisation.pk)
    if not may(actor, Action.CREATE, probe):
        raise PermissionDenied(_("Chỉ cán bộ quản lý của tổ chức mời hoặc thu hồi người bán hàng."))


@transaction.atomic
def invite(actor: Any, organisation_id: int, email: str, link: Any) -> StaffInvitation:
    """Invite `email` to sell for the organisation; `link(token)` is the address mailed."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Organisation.DoesNotExist(_("Không có tổ chức này."))
    _may_manage(actor, organisation)
    if organisation.status != OrganisationStatus.ACTIVE:
        raise ValidationError(_("Chỉ tổ chức đang hoạt động mới được bán hàng."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Địa chỉ thư điện tử không hợp lệ.")}) from None
    if SellerStaff.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("Người này đã bán hàng cho tổ chức.")})
    pending = StaffInvitation.objects.select_for_update().filter(
        organisation=organisation, email=email, accepted_at=None, revoked_at=None
    )
    if pending.exists():
        raise ValidationError({"email": _("Đã có lời mời chưa dùng gửi tới địa chỉ này.")})
    invitation = StaffInvitation.objects.create(
        organisation=organisation, email=email, invited_by=actor if actor else None
    )
    record(actor, "invite", invitation, None, snapshot(invitation))
    address = link(token_for(invitation))
    body = "\n".join(
        [
            _("Chào bạn,"),
            _("%(org)s mời bạn bán hàng cho tổ chức trên Chợ HTX (HTX Số).")
            % {"org": organisation.name},
            _(
                "Đăng nhập bằng tài khoản có địa chỉ thư này rồi mở đường dẫn "
                "(dùng một lần, trong 7 ngày):"
            ),
            address,
            _("Nếu bạn không biết lời mời này, hãy bỏ qua thư."),
        ]
    )
    transaction.on_commit(
        lambda: send_mail(
            _("Lời mời bán hàng trên Chợ HTX"), body, None, [email], fail_silently=True
        )
    )
    return invitation


def read_token(token: str) -> StaffInvitation:
    """The invitation a link names (ValidationError in Vietnamese otherwise)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_SECONDS)
    except signing.SignatureExpired:
        raise ValidationError(_("Lời mời đã hết hạn (quá 7 ngày): hãy xin lời mời mới.")) from None
    except signing.BadSignature:
        raise ValidationError(_("Đường dẫn mời không hợp lệ.")) from None
    invitation = (
        StaffInvitation.objects.select_related("organisation")
        .filter(pk=data.get("i"), email=data.get("e"))
        .first()
    )
    if invitation is None:
        raise ValidationError(_("Đường dẫn mời không hợp lệ."))
    return invitation


@transaction.atomic
def accept(user: Any, token: str) -> SellerStaff:
    """The signed-in `user` takes the invitation: once, with the invited e-mail address."""
    found = read_token(token)
    invitation = StaffInvitation.objects.select_for_update().get(pk=found.pk)
    if not invitation.pending:
        raise ValidationError(_("Lời mời này đã được dùng hoặc đã bị thu hồi."))
    if (getattr(user, "email", "") or "").lower() != invitation.email:
        raise ValidationError(
            _("Lời mời gửi tới %(email)s: hãy đăng nhập bằng tài khoản có địa chỉ thư đó.")
            % {"email": invitation.email}
        )
    probe = SellerStaff(organisation_id=invitation.organisation_id, user_id=user.pk)
    if not may(user, Action.VIEW, probe):
        raise PermissionDenied(_("Cán bộ quản lý nhà nước không bán hàng cho tổ chức."))
    if invitation.organisation.status != OrganisationStatus.ACTIVE:
        raise ValidationError(_("Chỉ tổ chức đang hoạt động mới được bán hàng."))
    before = snapshot(invitation)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.version += 1
    invitation.save()
    record(user, "accept", invitation, before, snapshot(invitation))
    try:
        with transaction.atomic():
            staff = SellerStaff.objects.create(
                organisation_id=invitation.organisation_id,
                user=user,
                invited_by_id=invitation.invited_by_id,
            )
    except IntegrityError:
        raise ValidationError(_("Bạn đã bán hàng cho tổ chức này.")) from None
    record(user, "create", staff, None, snapshot(staff))
    return staff


@transaction.atomic
def revoke(actor: Any, staff_id: int) -> None:
    """The manager takes a person off the organisation's staff (at once: the next request of
    that person no longer reaches its products and orders)."""
    staff = SellerStaff.objects.editable_by(actor).select_for_update().get(pk=staff_id)
    record(actor, "revoke", staff, snapshot(staff), None)
    staff.delete()


@transaction.atomic
def cancel_invitation(actor: Any, invitation_id: int, expected_version: int) -> StaffInvitation:
    invitation = (
        StaffInvitation.objects.editable_by(actor).select_for_update().get(pk=invitation_id)
    )
    check_version(invitation, expected_version)
    if not invitation.pending:
        raise ValidationError(_("Lời mời này đã được dùng hoặc đã bị thu hồi."))
    before = snapshot(invitation)
    invitation.revoked_at = timezone.now()
    invitation.version += 1
    invitation.save()
    record(actor, "revoke", invitation, before, snapshot(invitation))
    return invitation
