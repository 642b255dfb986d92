"""The province sends its round's results to the centre (by 21/12): only once nothing waits
for review; the figures as sent; late marked; the round closed while with the centre; central
officers receive or return (with a reason); the inbox of both sides; audit; the page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
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


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
def test_a_sending_and_a_submission_at_once_never_leave_one_behind(transactional_db):
    """A manager submits while the province sends, many times over: either the submission
    is in the round before it is sent (and the sending is refused: it waits for review) or it
    is refused because the round was sent — never a submitted classification in a closed
    round."""
    import threading

    from django.db import connections

    from htxso.assessment.models import Classification, RuleSet
    from htxso.core.tests.units_snapshot import restore_units

    from .conftest import definition, full_scores

    restore_units()
    for name in ("classification-tt01-2020.json", "dx-htx-2024.json"):
        if not RuleSet.objects.filter(code=definition(name)["code"]).exists():
            services.load_rule_set(None, definition(name))
    officer = make_user("cb-gui", "provincial_officer", "19")
    first = OrganisationFactory(province_id="19", established_on=dt.date(2015, 1, 1))
    boss = make_user("ql-gui-0", "cooperative_manager", "19", organisation=first)
    done = submitted(boss, first.pk, 80)
    services.approve(officer, done.pk, done.version)
    for attempt in range(4):
        org = OrganisationFactory(province_id="19", established_on=dt.date(2015, 1, 1))
        manager = make_user(f"ql-gui-{attempt + 1}", "cooperative_manager", "19", organisation=org)
        c = services.start(manager, org.pk, 2025, today=ROUND_DAY)
        c = services.save_scores(manager, c.pk, c.version, full_scores(c, 70))
        barrier = threading.Barrier(2, timeout=30)
        outcomes: dict[str, object] = {}

        def run(name, step, barrier=barrier, outcomes=outcomes) -> None:
            try:
                barrier.wait()
                step()
                outcomes[name] = "ok"
            except Exception as exc:  # collected and asserted below
                outcomes[name] = exc
            finally:
                connections.close_all()

        steps = {
            "send": lambda: rounds.send(officer, "19", 2025, today=ROUND_DAY),
            "submit": lambda c=c, m=manager: services.submit(m, c.pk, c.version, today=ROUND_DAY),
        }
        threads = [threading.Thread(target=run, args=item) for item in steps.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(type(v).__name__ for v in outcomes.values()) == ["ValidationError", "str"]
        closed = ProvinceRound.objects.filter(status=RoundStatus.SENT).exists()
        waiting = Classification.objects.filter(status="submitted").count()
        assert not (closed and waiting), outcomes
        if closed:
            sent = ProvinceRound.objects.get()
            rounds.send_back(None, sent.pk, sent.version, "Thử lại")
        for w in Classification.objects.filter(status="submitted"):
            services.approve(officer, w.pk, w.version)
