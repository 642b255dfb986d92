"""Seller staff: the people a cooperative's manager invites to sell for the organisation.

An invitation names an e-mail address; its link (`staff.py`, signed, single-use, 7 days) is
accepted by the signed-in account with that address, which becomes a `SellerStaff` row. The
row is what `Reach.STAFF` reads (`staff_organisations`): products, orders and offers of the
organisation, nothing else — never its shop's bank account, never its staff. The manager
revokes a person by removing the row (audited)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Kind, Scope, ScopedQuerySet


def staff_organisations(user_id: int) -> Any:
    """The ids of the organisations `user_id` sells for as invited staff (for `Scope.staff`)."""
    return SellerStaff.objects.filter(user_id=user_id).values_list("organisation_id", flat=True)


class SellerStaff(models.Model):
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.CASCADE, related_name="market_staff"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="market_staff"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        Kind.STAFF,
        province="organisation__province_id",
        organisation="organisation_id",
        owner="user_id",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("người bán hàng cho tổ chức")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="staff_once")]
        indexes = [models.Index(fields=["user", "organisation"], name="staff_user")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.organisation_id}"


class StaffInvitation(models.Model):
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.CASCADE, related_name="market_invitations"
    )
    email = models.EmailField(_("thư điện tử"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope = Scope(
        Kind.STAFF,
        province="organisation__province_id",
        organisation="organisation_id",
        owner="accepted_by_id",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lời mời bán hàng")
        indexes = [models.Index(fields=["organisation", "created_at"], name="invitation_org")]

    def __str__(self) -> str:
        return self.email

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
