"""A citizen's own account: the CCCD checked by core's rules, the e-mailed activation link
(Django's mail backend), the applicant role; every refusal in Vietnamese, nothing half made."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from htxso.core.cccd import encode_cccd
from htxso.core.models import AuditEntry, User
from htxso.core.roles import Role

NUMBER = encode_cccd("19", "female", 1985, 42)
GOOD = {
    "cccd": NUMBER,
    "full_name": "  Phạm   Thị Hồng Nhung ",
    "birth_date": "12/06/1985",
    "phone": "0912 345 678",
    "email": "Nhung.Pham@Example.vn",
    "password1": "Ruong-bac-thang-2026",
    "password2": "Ruong-bac-thang-2026",
}


def _link(message) -> str:
    found = re.search(r"http://testserver(/accounts/signup/\S+)", message.body)
    assert found is not None, message.body
    return found.group(1)


def test_sign_up_confirm_and_sign_in(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), GOOD)
    assert response.status_code == 200 and "nhung.pham@example.vn" in response.content.decode()
    user = User.objects.get(username=NUMBER)
    assert not user.is_active and user.role == Role.APPLICANT
    assert user.first_name == "Phạm Thị Hồng Nhung" and user.phone == "0912345678"
    assert user.email == "nhung.pham@example.vn" and user.check_password(GOOD["password1"])
    assert AuditEntry.objects.filter(action="signup", object_id=str(user.pk)).exists()
    # Not active yet: the password alone does not sign in.
    assert not client.login(username=NUMBER, password=GOOD["password1"])
    [message] = mail.outbox
    assert message.to == ["nhung.pham@example.vn"] and "Kích hoạt" in message.subject
    link = _link(message)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("login")
    user.refresh_from_db()
    assert user.is_active
    assert AuditEntry.objects.filter(action="activate", object_id=str(user.pk)).exists()
    # The link is spent.
    assert client.get(link).status_code == 400
    assert client.login(username=NUMBER, password=GOOD["password1"])
    assert client.get(reverse("registration:mine")).status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cccd": "12345"}, "cccd", "12 chữ số"),
        ({"birth_date": "12/06/1986"}, "birth_date", "không khớp với số CCCD"),
        (
            {"cccd": encode_cccd("19", "male", 2015, 1), "birth_date": "01/01/2015"},
            "birth_date",
            "đủ 18 tuổi",
        ),
        ({"full_name": "Nhung"}, "full_name", "đầy đủ họ và tên"),
        ({"phone": "12345"}, "phone", "Số điện thoại không hợp lệ"),
        ({"email": "khong-phai-thu"}, "email", ""),
        ({"password2": "khac-han-2026"}, "password2", "không khớp"),
        ({"password1": "123", "password2": "123"}, "password1", "Mật khẩu"),
    ],
)
def test_refusals_say_why_and_make_nothing(client, db, change, field, message):
    response = client.post(reverse("signup"), {**GOOD, **change})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not User.objects.filter(role=Role.APPLICANT).exists() and not mail.outbox


def test_one_account_per_citizen_and_per_address(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), GOOD)
    again = client.post(reverse("signup"), {**GOOD, "email": "khac@example.vn"})
    assert again.status_code == 422 and "đã có tài khoản" in again.content.decode()
    other = encode_cccd("19", "female", 1985, 43)
    same_mail = client.post(reverse("signup"), {**GOOD, "cccd": other})
    assert same_mail.status_code == 422 and "đã được dùng" in same_mail.content.decode()
    assert User.objects.filter(role=Role.APPLICANT).count() == 1


def test_a_forged_link_activates_nothing(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), GOOD)
    link = _link(mail.outbox[0])
    forged = link.rsplit("/", 2)[0] + "/abc-0123456789abcdef/"
    assert client.get(forged).status_code == 400
    assert client.get("/accounts/signup/zzz/abc-def/").status_code == 400
    assert not User.objects.get(username=NUMBER).is_active


def test_signed_in_users_do_not_sign_up_again(client, db):
    user = User.objects.create_user("da-co", password="x", role=Role.APPLICANT)
    client.force_login(user)
    assert client.get(reverse("signup")).status_code == 200
    assert client.post(reverse("signup"), GOOD).status_code == 403
    assert not User.objects.filter(username=NUMBER).exists()
