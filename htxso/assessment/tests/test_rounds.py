"""The province sends its round's results to the centre (by 21/12): only once nothing waits
for review; the figures as sent; late marked; the round closed while with the centre; central
officers receive or return (with a reason); the inbox of both sides; audit; the page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from htxso.assessment import rounds, services
from htxso.assessment.models import ProvinceRound, RoundStatus
from htxso.core.inbox import items_for
from htxso.core.models import AuditEntry
from htxso.core.versions import StaleEdit
from htxso.registry.tests.factories import OrganisationFactory
from htxso.reporting.tests.conftest import make_user

from .conftest import ROUND_DAY, submitted


@pytest.fixture
def decided(officer_19):
    """Three HTX of 19 in the 2025 round: Tốt and Yếu approved, one still waiting."""
    out = []
    for i, total in enumerate((85, 30, 70)):
        org = OrganisationFactory(province_id="19", established_on=dt.date(2015, 1, 1))
        boss = make_user(f"ql-vong-{i}", "cooperative_manager", "19", organisation=org)
        out.append(submitted(boss, org.pk, total))
    services.approve(officer_19, out[0].pk, out[0].version)
    services.approve(officer_19, out[1].pk, out[1].version)
    return out


def test_nothing_is_sent_while_a_classification_waits(officer_19, decided):
    with pytest.raises(ValidationError, match="Còn 1 bản phân loại chờ duyệt"):
        rounds.send(officer_19, "19", 2025, today=ROUND_DAY)
    assert not ProvinceRound.objects.exists()


def test_an_empty_round_is_not_sent(officer_19, db):
    with pytest.raises(ValidationError, match="Chưa có bản phân loại nào được duyệt"):
        rounds.send(officer_19, "19", 2025, today=ROUND_DAY)


def test_the_province_sends_its_results_as_they_stand(officer_19, decided):
    services.return_to_manager(officer_19, decided[2].pk, decided[2].version, "Thiếu sổ sách")
    sent = rounds.send(officer_19, "19", 2025, today=dt.date(2025, 12, 20))
    assert sent.status == RoundStatus.SENT and not sent.late
    assert sent.counts == {"good": 1, "weak": 1, "decided": 2, "pending": 1}
    assert sent.sent_by == officer_19
    assert AuditEntry.objects.filter(action="send", object_id=str(sent.pk)).exists()
    with pytest.raises(ValidationError, match="đã gửi trung ương"):
        rounds.send(officer_19, "19", 2025, today=ROUND_DAY)


def test_a_late_sending_is_kept_and_marked(officer_19, decided):
    services.approve(officer_19, decided[2].pk, decided[2].version)
    sent = rounds.send(officer_19, "19", 2025, today=dt.date(2025, 12, 22))
    assert sent.late


def test_who_may_send_and_receive(officer_19, officer_01, central, manager, adviser, decided):
    services.approve(officer_19, decided[2].pk, decided[2].version)
    for outsider in (officer_01, central, manager, adviser):
        with pytest.raises(PermissionDenied):
            rounds.send(outsider, "19", 2025, today=ROUND_DAY)
    sent = rounds.send(officer_19, "19", 2025, today=ROUND_DAY)
    with pytest.raises(PermissionDenied):
        rounds.receive(officer_19, sent.pk, sent.version)  # not their own results
    for outsider in (officer_01, manager, adviser):
        with pytest.raises(ProvinceRound.DoesNotExist):  # not in their view at all
            rounds.receive(outsider, sent.pk, sent.version)
    with pytest.raises(StaleEdit):
        rounds.receive(central, sent.pk, sent.version + 1)
    received = rounds.receive(central, sent.pk, sent.version)
    assert received.status == RoundStatus.RECEIVED and received.received_by == central
    with pytest.raises(ValidationError):
        rounds.send_back(central, received.pk, received.version, "Sai")


def test_a_sent_round_is_closed_until_the_centre_returns_it(
    officer_19, central, manager, htx, decided
):
    services.approve(officer_19, decided[2].pk, decided[2].version)
    late_one = services.start(manager, htx.pk, 2025, today=ROUND_DAY)
    sent = rounds.send(officer_19, "19", 2025, today=ROUND_DAY)
    from .conftest import full_scores

    c = services.save_scores(manager, late_one.pk, late_one.version, full_scores(late_one, 90))
    with pytest.raises(ValidationError, match="đã gửi trung ương"):
        services.submit(manager, c.pk, c.version, today=ROUND_DAY)
    with pytest.raises(ValidationError, match="đã gửi trung ương"):
        services.approve_round(officer_19, "19", 2025)
    with pytest.raises(ValidationError, match="Hãy ghi lý do"):
        rounds.send_back(central, sent.pk, sent.version, "  ")
    back = rounds.send_back(central, sent.pk, sent.version, "Thiếu HTX Bình An")
    assert back.status == RoundStatus.RETURNED and back.return_reason == "Thiếu HTX Bình An"
    c = services.submit(manager, c.pk, c.version, today=ROUND_DAY)  # open again
    services.approve(officer_19, c.pk, c.version)
    again = rounds.send(officer_19, "19", 2025, today=ROUND_DAY)
    assert again.pk == sent.pk and again.status == RoundStatus.SENT
    assert again.counts["good"] == 2 and again.return_reason == ""
    assert AuditEntry.objects.filter(action="return", object_id=str(sent.pk)).exists()


def test_the_inbox_of_both_sides(officer_19, central, decided, settings):
    services.approve(officer_19, decided[2].pk, decided[2].version)

    def count(user, words):
        return sum(i.count for i in items_for(user) if words in i.title)

    today = dt.date.today()
    if today.year in (2025, 2026):  # the province's item looks at this year and the last
        assert count(officer_19, "chưa gửi trung ương") == 1
    assert count(central, "chờ trung ương tiếp nhận") == 0
    sent = rounds.send(officer_19, "19", 2025, today=ROUND_DAY)
    assert count(officer_19, "chưa gửi trung ương") == 0
    assert count(central, "chờ trung ương tiếp nhận") == 1
    rounds.receive(central, sent.pk, sent.version)
    assert count(central, "chờ trung ương tiếp nhận") == 0


def test_the_pages_of_sending_and_receiving(client, officer_19, officer_01, central, decided):
    services.approve(officer_19, decided[2].pk, decided[2].version)
    url = reverse("assessment:rounds") + "?year=2025"
    client.force_login(officer_19)
    page = client.get(url).content.decode()
    assert "Chưa gửi trung ương" in page and 'id="round-send"' in page
    assert 'id="rounds"' not in page  # the other provinces are the centre's to see
    response = client.post(reverse("assessment:round-send"), {"year": "2025"}, follow=True)
    assert "Đã gửi kết quả phân loại năm 2025" in response.content.decode()
    sent = ProvinceRound.objects.get()
    client.force_login(officer_01)
    assert "Chưa gửi trung ương" in client.get(url).content.decode()  # their own
    review = reverse("assessment:round-review", args=[sent.pk])
    assert client.post(review, {"action": "receive", "version": sent.version}).status_code == 404
    client.force_login(central)
    page = client.get(url).content.decode()
    assert 'data-province="19"' in page and "Đã gửi trung ương" in page
    response = client.post(review, {"action": "return", "version": sent.version}, follow=True)
    assert "Hãy ghi lý do trả lại tỉnh" in response.content.decode()
    response = client.post(review, {"action": "receive", "version": sent.version}, follow=True)
    assert "Đã tiếp nhận" in response.content.decode()
    assert ProvinceRound.objects.get().status == RoundStatus.RECEIVED
