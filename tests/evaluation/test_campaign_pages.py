"""The campaign pages: start a campaign, add principals from the district's
teachers, issue one-time links and print them as QR codes, start the
computation and follow its progress."""

import pytest
from django.urls import reverse

from centers.models import TeacherRole
from evaluation import services
from evaluation.models import Appraisee, Campaign, RaterGroup, RaterToken
from tests.evaluation.conftest import item_answers, opened
from tests.factories import SchoolFactory, TeacherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world):
    by = world.user("district_a")
    return opened(services.start_campaign(district=world.district_a, term="2023—2026", by=by), by)


def test_district_staff_start_their_campaign_only(world, login):
    client = login(world.user("district_a"))
    url = reverse("evaluation:campaign-add")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"district": world.district_a.pk, "term": "2024", "title": "", "min_answers": 5}
    )
    campaign = Campaign.objects.get(term="2024")
    assert response.status_code == 302 and response.url == campaign.get_absolute_url()
    assert campaign.district == world.district_a and campaign.weights.count() == 4
    # Another district's: refused, nothing saved.
    response = client.post(
        url, {"district": world.district_b.pk, "term": "2025", "title": "", "min_answers": 5}
    )
    assert response.status_code == 200 and not Campaign.objects.filter(term="2025").exists()
    # The bureau starts any district's.
    bureau = login(world.user("bureau"))
    bureau.post(url, {"district": world.district_b.pk, "term": "2025", "min_answers": 3})
    assert Campaign.objects.get(term="2025").district == world.district_b
    # A teacher may not start one.
    assert login(world.user("teacher_a")).get(url).status_code == 403


def test_add_principal_from_the_districts_teachers(world, campaign, login):
    head = TeacherFactory(school=world.school_a, name="王校长", role=TeacherRole.PRINCIPAL)
    other = TeacherFactory(school=world.school_b, name="外区校长", role=TeacherRole.PRINCIPAL)
    client = login(world.user("district_a"))
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "王校长" in page and "外区校长" not in page
    url = reverse("evaluation:campaign-principal-add", args=[campaign.pk])
    client.post(url, {"teacher": head.pk})
    appraisee = Appraisee.objects.get(campaign=campaign)
    assert (appraisee.school, appraisee.name) == (world.school_a, "王校长")
    client.post(url, {"teacher": other.pk})  # not offered: another district's
    assert campaign.appraisees.count() == 1
    # Another district's staff cannot add to it.
    login(world.user("district_b")).post(url, {"teacher": head.pk})
    assert campaign.appraisees.count() == 1


def test_links_and_qr_sheet(world, campaign, login):
    appraisee = services.add_principal(
        campaign=campaign, school=world.school_a, name="王校长", by=world.user("district_a")
    )
    client = login(world.user("district_a"))
    response = client.post(
        reverse("evaluation:appraisee-links", args=[appraisee.pk]),
        {"group": RaterGroup.PARENTS, "count": 3, "key": "page-1"},
    )
    sheet_url = reverse("evaluation:appraisee-qr", args=[appraisee.pk, RaterGroup.PARENTS])
    assert response.status_code == 302 and response.url == sheet_url
    assert RaterToken.objects.filter(appraisee=appraisee, group="parents").count() == 3
    html = client.get(sheet_url).content.decode()
    assert html.count("<svg") == 3 and "<script>" not in html  # drawn here, no inline script
    used = RaterToken.objects.filter(appraisee=appraisee).first()
    services.rate(token=used.token, answers=item_answers(used, 4))
    html = client.get(sheet_url).content.decode()
    assert html.count("<svg") == 2 and used.token not in html  # a used link is not reprinted
    for token in RaterToken.objects.filter(used_at__isnull=True).values_list("token", flat=True):
        assert reverse("evaluation:rate", args=[token]) in html
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert sheet_url in page
    # Too many at once: refused with a message, nothing issued.
    client.post(
        reverse("evaluation:appraisee-links", args=[appraisee.pk]),
        {"group": RaterGroup.PARENTS, "count": 501, "key": "page-2"},
    )
    assert RaterToken.objects.count() == 3
    other = login(world.user("district_b"))
    assert other.get(sheet_url).status_code == 404
    assert login(world.user("bureau")).get(sheet_url).status_code == 200


def test_the_links_form_sent_twice_issues_once_and_shows_what_is_valid_now(world, campaign, login):
    by = world.user("district_a")
    appraisee = services.add_principal(
        campaign=campaign, school=world.school_a, name="王校长", by=by
    )
    client = login(by)
    page = client.get(campaign.get_absolute_url()).content.decode()
    key = page.split(f'data-issue="{appraisee.pk}">')[1].split('name="key" value="')[1]
    key = key.split('"')[0]
    assert key.endswith(f"-{appraisee.pk}")
    # Each render of the page gives its forms a new key.
    assert key not in client.get(campaign.get_absolute_url()).content.decode()
    url = reverse("evaluation:appraisee-links", args=[appraisee.pk])
    sheet_url = reverse("evaluation:appraisee-qr", args=[appraisee.pk, RaterGroup.PARENTS])
    form = {"group": RaterGroup.PARENTS, "count": 3, "key": key}
    assert client.post(url, form).url == sheet_url
    revoked, used, kept = RaterToken.objects.filter(appraisee=appraisee).order_by("pk")
    services.revoke_link(link=revoked, by=by)
    services.rate(token=used.token, answers=item_answers(used, 4))
    # The same form again (the back button, a double click): nothing issued,
    # and the sheet prints only the link still valid.
    again = client.post(url, form, follow=True)
    assert again.redirect_chain == [(sheet_url, 302)]
    html = again.content.decode()
    assert "已签发过" in html
    assert RaterToken.objects.filter(appraisee=appraisee).count() == 2
    assert html.count("<svg") == 1 and kept.token in html
    assert revoked.token not in html and used.token not in html
    # The key with other values: refused, nothing issued.
    refused = client.post(url, {**form, "count": 5}, follow=True)
    assert refused.redirect_chain == [(campaign.get_absolute_url(), 302)]
    assert "重新加载" in refused.content.decode()
    assert RaterToken.objects.filter(appraisee=appraisee).count() == 2
    # A form without its key (out of date): refused with a message.
    client.post(url, {"group": RaterGroup.PARENTS, "count": 3})
    assert RaterToken.objects.filter(appraisee=appraisee).count() == 2


def test_start_computation_and_progress(world, campaign, login, django_capture_on_commit_callbacks):
    appraisee = services.add_principal(
        campaign=campaign,
        school=SchoolFactory(district=world.district_a),
        name="李校长",
        by=world.user("district_a"),
    )
    for link in services.issue_links(
        appraisee=appraisee, group=RaterGroup.TEACHERS, count=5, by=world.user("district_a")
    ):
        services.rate(token=link.token, answers=item_answers(link, 4))
    client = login(world.user("district_a"))
    progress = reverse("evaluation:campaign-progress", args=[campaign.pk])
    Campaign.objects.filter(pk=campaign.pk).update(progress=0)
    assert client.get(progress).json() == {"progress": 0, "status": "running"}
    assert "data-export-status-url" in client.get(campaign.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evaluation:campaign-recompute", args=[campaign.pk]))
    assert client.get(progress).json() == {"progress": 100, "status": "done"}
    appraisee.refresh_from_db()
    assert str(appraisee.score) == "4.00"
    # Only who may change the campaign starts it; others do not even see it.
    assert login(world.user("district_b")).get(progress).status_code == 404
    response = login(world.user("district_b")).post(
        reverse("evaluation:campaign-recompute", args=[campaign.pk])
    )
    assert response.status_code == 404


def _rated(world, campaign, name, school, value, groups=(RaterGroup.TEACHERS,), n=5):
    by = world.user("district_a")
    appraisee = services.add_principal(campaign=campaign, school=school, name=name, by=by)
    for group in groups:
        for link in services.issue_links(appraisee=appraisee, group=group, count=n, by=by):
            services.rate(token=link.token, answers=item_answers(link, value))
    return appraisee


def _chart_data(html, chart_id):
    return html.split(f'id="{chart_id}" type="application/json">')[1].split("</script>")[0]


def test_principal_report_radar_and_profile_heatmap(world, campaign, login):
    import json

    from evaluation.panels import principal_figures, profile_figures
    from evaluation.tasks import compute_campaign

    wang = _rated(world, campaign, "王校长", world.school_a, 4, (RaterGroup.TEACHERS,))
    li = _rated(world, campaign, "李校长", world.school_a2, 2, (RaterGroup.TEACHERS,))
    by = world.user("district_a")
    for link in services.issue_links(appraisee=wang, group=RaterGroup.PARENTS, count=2, by=by):
        services.rate(token=link.token, answers=item_answers(link, 1))
    compute_campaign(campaign.pk)
    wang.refresh_from_db()
    li.refresh_from_db()

    radar = principal_figures(wang)
    assert radar.kind == "radar" and len(radar.categories) == 5
    # The weighted score and the teachers; the parents (2 < 5 answers) are left out.
    assert [s.name for s in radar.series] == ["加权得分", "教师"]
    assert radar.as_json()["series"][0]["data"] == [4.0] * 5 and radar.as_json()["high"] == 5

    client = login(by)
    html = client.get(wang.get_absolute_url()).content.decode()
    assert 'data-chart="chart-evaluation-principal"' in html and "echarts.min.js" in html
    data = _chart_data(html, "chart-evaluation-principal")
    assert json.loads(data)["kind"] == "radar"
    assert "<table" in html.split('data-chart-panel="evaluation-principal"')[1]
    assert "低于最少答卷数" in html  # the parents' row shows its count only

    heat = profile_figures(campaign, services.district_profile(campaign)["rows"])
    assert heat.kind == "heatmap"
    assert heat.categories == ["天河实验小学", "天河第一小学"]
    assert heat.series[0].data == [2, 4]
    page = client.get(campaign.get_absolute_url()).content.decode()
    data = _chart_data(page, "chart-evaluation-profile")
    fig = json.loads(data)
    assert fig["kind"] == "heatmap" and fig["categories"] == heat.categories
    assert len(fig["series"]) == 5 and fig["series"][0]["data"] == [2.0, 4.0]
    assert wang.get_absolute_url() in page
    # In scope only.
    assert login(world.user("district_b")).get(wang.get_absolute_url()).status_code == 404
    assert login(world.user("bureau")).get(wang.get_absolute_url()).status_code == 200


def test_chart_kinds_are_checked():
    from core.charts import Figures, Series

    with pytest.raises(ValueError):
        Figures(title="x", kind="sankey", categories=["a"], series=[Series("s", [1])])
    fig = Figures(title="x", kind="heatmap", categories=["a"], series=[Series("s", [1])], high=5)
    assert fig.as_json()["high"] == 5 and fig.as_json()["low"] is None


def test_api_scores_and_profile_in_scope(world, campaign, login):
    from evaluation.tasks import compute_campaign

    wang = _rated(world, campaign, "王校长", world.school_a, 4)
    compute_campaign(campaign.pk)
    client = login(world.user("district_a"))
    data = client.get(f"/api/v1/evaluation/campaigns/{campaign.pk}/").json()
    assert data["progress"] == 100 and data["weights"]["teachers"] == "35.00"
    profile = client.get(f"/api/v1/evaluation/campaigns/{campaign.pk}/profile/").json()
    assert profile["rows"][0]["dims"]["ethics"] == "4.00"
    assert profile["rows"][0]["school_name"] == "天河第一小学"
    listed = client.get(f"/api/v1/evaluation/principals/?campaign={campaign.pk}").json()
    items = listed.get("results", listed)
    assert [p["id"] for p in items] == [wang.pk] and items[0]["score"] == "4.00"
    assert items[0]["scores"]["groups"]["parents"] == {"n": 0, "shown": False, "dims": None}
    other = login(world.user("district_b"))
    assert other.get(f"/api/v1/evaluation/campaigns/{campaign.pk}/profile/").status_code == 404
    assert other.get("/api/v1/evaluation/principals/").json().get("results", []) == []


def test_campaign_page_constant_queries(world, campaign, login):
    """The campaign page (links, profile, heat map) makes as many queries
    with five more rated principals as without."""
    from tests.contracts import assert_constant_queries

    made = []

    def add(n):
        for i in range(n):
            school = SchoolFactory(district=world.district_a)
            made.append(_rated(world, campaign, f"校长{i}", school, 3 + i % 2))
        services.compute_campaign(campaign.pk)

    add(1)
    for user in ("district_a", "bureau"):
        assert_constant_queries(login(world.user(user)), campaign.get_absolute_url(), add)
