"""The pages and the API as their users meet them: a manager scores (a bad score is a 422
with the Vietnamese reason and what was typed kept), the province reviews, the adviser fills
the questionnaire on the page and sees the radar's data, two assessments compared, the
dashboard's figures, the API's reads and its review step."""

import datetime as dt
import json

from django.urls import reverse
from django.utils import timezone

from htxso.assessment import advice, services
from htxso.assessment.models import Classification
from htxso.core.tokens import issue_token

from .conftest import full_scores, submitted
from .test_advice import answers


def script_data(html: str, element_id: str) -> dict:
    """The JSON the page renders for its charts (`json_script`)."""
    start = html.index(f'id="{element_id}"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_the_manager_scores_and_submits_on_the_page(client, manager, htx):
    client.force_login(manager)
    year = timezone.localdate().year
    response = client.post(
        reverse("assessment:classification-start", args=[htx.pk]), {"year": year}
    )
    c = Classification.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{c.pk}/")
    page = client.get(reverse("assessment:classification", args=[c.pk])).content.decode()
    assert "Doanh thu của HTX trong năm" in page and "Điền sẵn từ sổ đăng ký" in page
    scores = full_scores(c, 70)
    bad = {**scores, "c01": "11", "version": c.version}
    response = client.post(reverse("assessment:classification-save", args=[c.pk]), bad)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Điểm phải từ 0 đến 10." in html and 'value="11"' in html
    good = {**scores, "version": c.version, "submit": "1"}
    response = client.post(reverse("assessment:classification-save", args=[c.pk]), good)
    c.refresh_from_db()
    if timezone.localdate() <= dt.date(year, 12, 15):
        assert c.status == "submitted" and c.total == 70
    else:  # after the self-scoring deadline the page says so, the scores are kept
        assert c.status == "draft" and c.total == 70
        assert "Đã quá hạn nộp" in response.content.decode()


def test_the_province_reviews_on_the_page(client, manager, officer_19, officer_01, htx):
    c = submitted(manager, htx.pk, 81)
    client.force_login(officer_01)
    assert client.get(reverse("assessment:classification", args=[c.pk])).status_code == 404
    client.force_login(officer_19)
    url = reverse("assessment:classification-review", args=[c.pk])
    response = client.post(
        url,
        {"action": "adjust", "criterion": "c01", "points": "5", "reason": "", "version": c.version},
    )
    assert (
        response.status_code == 422
        and "Hãy ghi lý do điều chỉnh điểm." in response.content.decode()
    )
    client.post(
        url,
        {
            "action": "adjust",
            "criterion": "c01",
            "points": "5",
            "reason": "Chưa đủ doanh thu",
            "version": c.version,
        },
    )
    c.refresh_from_db()
    assert (c.total, c.grade) == (76, "fair")
    client.post(url, {"action": "approve", "version": c.version})
    c.refresh_from_db()
    htx.refresh_from_db()
    assert c.status == "approved" and htx.classification == "fair"
    listing = client.get(
        reverse("assessment:classifications"), {"status": "approved"}
    ).content.decode()
    assert htx.name in listing
    assert client.post(url, {"action": "bogus", "version": c.version}).status_code == 404


def test_the_adviser_fills_the_questionnaire_and_compares(client, officer_19, adviser, htx):
    advice.assign(officer_19, htx.pk, adviser.pk)
    first = advice.assess(
        adviser, htx.pk, answers(1), assessed_on=timezone.localdate() - dt.timedelta(200)
    )
    client.force_login(adviser)
    home = client.get(reverse("home")).content.decode()
    assert htx.name in home and "Tổ chức được phân công tư vấn" in home
    url = reverse("assessment:dx-new", args=[htx.pk])
    assert client.get(url).status_code == 200
    partial = answers(3)
    partial.pop("data-3")
    response = client.post(url, partial)
    assert response.status_code == 422 and "Chưa trả lời câu hỏi này." in response.content.decode()
    response = client.post(url, answers(3))
    assert response.status_code == 302
    second = htx.dx_assessments.order_by("-id").first()
    page = client.get(reverse("assessment:dx", args=[second.pk])).content.decode()
    assert 'id="radar-data"' in page and "Mức chung: 3" in page
    compare = client.get(reverse("assessment:dx-compare", args=[second.pk, first.pk]))
    html = compare.content.decode()
    assert compare.status_code == 200 and "+2" in html
    data = script_data(html, "radar-data")
    assert [s["levels"][0] for s in data["series"]] == [1, 3]


def test_the_adviser_of_another_organisation_gets_404(client, adviser_2, manager, htx):
    a = advice.assess(manager, htx.pk, answers(2))
    client.force_login(adviser_2)
    assert client.get(reverse("assessment:dx", args=[a.pk])).status_code == 404
    assert client.get(reverse("assessment:dx-new", args=[htx.pk])).status_code == 404
    assert client.get(reverse("assessment:organisation", args=[htx.pk])).status_code == 404


def test_the_dashboard_counts_approved_grades_by_year(
    client, manager, officer_19, officer_01, central, htx
):
    c = submitted(manager, htx.pk, 85)
    services.approve(officer_19, c.pk, c.version)
    client.force_login(central)
    page = client.get(reverse("assessment:dashboard")).content.decode()
    data = script_data(page, "assessment-data")
    assert data["years"] == [{"year": 2025, "counts": [1, 0, 0, 0], "total": 1, "share": 100.0}]
    assert data["target"]["share"] == 60
    client.force_login(officer_01)  # another province: its own figures only
    page = client.get(reverse("assessment:dashboard"), {"province": "19"}).content.decode()
    data = script_data(page, "assessment-data")
    assert data["years"] == []
    client.force_login(manager)
    assert client.get(reverse("assessment:dashboard")).status_code == 403


def test_the_cached_dashboard_shows_every_write_at_once(
    client, manager, officer_19, central, adviser, htx, django_assert_max_num_queries
):
    """The figures are rendered once and kept until a write they depend on (an approval, a DX
    assessment, an assignment) moves its province's stamp: never a stale figure."""
    first = submitted(manager, htx.pk, 85)
    services.approve(officer_19, first.pk, first.version)
    client.force_login(central)
    url = reverse("assessment:dashboard")
    before = script_data(client.get(url).content.decode(), "assessment-data")
    with django_assert_max_num_queries(8):  # session, user, OTP, the stamps: no figures
        again = script_data(client.get(url).content.decode(), "assessment-data")
    assert again == before
    from htxso.registry.tests.factories import OrganisationFactory
    from htxso.reporting.tests.conftest import make_user

    other = OrganisationFactory(province_id="01", established_on=dt.date(2015, 1, 1))
    boss = make_user("ql-01-cache", "cooperative_manager", "01", organisation=other)
    c = submitted(boss, other.pk, 40)
    after_submit = script_data(client.get(url).content.decode(), "assessment-data")
    assert after_submit == before  # a submission changes no figure
    services.approve(make_user("cb-01-cache", "provincial_officer", "01"), c.pk, c.version)
    after = script_data(client.get(url).content.decode(), "assessment-data")
    assert after["years"] == [{"year": 2025, "counts": [1, 0, 0, 1], "total": 2, "share": 50.0}]
    advice.assign(officer_19, htx.pk, adviser.pk)
    page = client.get(url).content.decode()
    assert "Trần Lan" in page  # the caseload moved too
    advice.assess(adviser, htx.pk, answers(3))
    dx = script_data(client.get(url).content.decode(), "assessment-data")["dx"]
    assert dx["count"] == 1


def test_the_api_lists_and_reviews(client, manager, officer_19, officer_01, htx):
    c = submitted(manager, htx.pk, 70)
    own = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(None, officer_19, 't')}"}
    other = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(None, officer_01, 't')}"}
    items = client.get("/api/v1/classifications", **own).json()["items"]
    assert [i["id"] for i in items] == [c.pk]
    assert client.get("/api/v1/classifications", **other).json()["items"] == []
    assert client.get(f"/api/v1/classifications/{c.pk}", **other).status_code == 404
    body = {"action": "return", "reason": "", "version": c.version}
    response = client.post(
        f"/api/v1/classifications/{c.pk}/review", body, content_type="application/json", **own
    )
    assert response.status_code == 422
    body = {"action": "approve", "version": c.version + 5}
    response = client.post(
        f"/api/v1/classifications/{c.pk}/review", body, content_type="application/json", **own
    )
    assert response.status_code == 409
    body["version"] = c.version
    response = client.post(
        f"/api/v1/classifications/{c.pk}/review", body, content_type="application/json", **own
    )
    assert response.status_code == 200 and response.json()["grade"] == "fair"
    grades = client.get("/api/v1/grades", {"organisation_id": htx.pk}, **own).json()["items"]
    assert grades == [
        {
            "organisation_id": htx.pk,
            "year": 2025,
            "grade": "fair",
            "total": 70,
            "status": "approved",
        }
    ]


def test_the_rounds_panel_shows_only_a_begun_round(client, manager, officer_19, officer_01, htx):
    from htxso.core import home

    assert "assessment/_home_round.html" not in [p.template for p in home.panels_for(officer_19)]
    services.start(manager, htx.pk, timezone.localdate().year)
    panels = {p.template: p.context for p in home.panels_for(officer_19)}
    assert panels["assessment/_home_round.html"]["total"] == 1
    assert "assessment/_home_round.html" not in [p.template for p in home.panels_for(officer_01)]
