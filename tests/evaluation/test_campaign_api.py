"""The campaign write API (start a campaign, add principals, open and close)
under the district's scope, and the Excel exports of the district profile
and a principal's report."""

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from evaluation import services
from evaluation.models import Appraisee, Campaign, CampaignStatus, RaterGroup
from evaluation.tasks import compute_campaign
from tests.evaluation.conftest import item_answers, opened

pytestmark = pytest.mark.django_db

API = "/api/v1/evaluation/campaigns/"


def test_district_starts_its_campaign_and_adds_principals(world, login):
    client = login(world.user("district_a"))
    response = client.post(
        API, {"district": world.district_a.pk, "term": "2023—2026", "min_answers": 3}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["min_answers"] == 3 and data["status"] == "draft"
    assert data["weights"]["teachers"] == "35.00"
    campaign = Campaign.objects.get(pk=data["id"])
    assert campaign.items.count() == 25
    # The same district and term again: 400 with a Chinese message, not 500.
    again = client.post(API, {"district": world.district_a.pk, "term": "2023—2026"})
    assert again.status_code == 400 and "已有" in again.content.decode()
    # Another district's campaign: refused (403), nothing made.
    other = client.post(API, {"district": world.district_b.pk, "term": "2023—2026"})
    assert other.status_code == 403
    assert not Campaign.objects.filter(district=world.district_b).exists()

    url = f"{API}{campaign.pk}/principals/"
    added = client.post(url, {"school": world.school_a.pk, "name": "王校长"})
    assert added.status_code == 201 and added.json()["school_name"] == world.school_a.name
    twice = client.post(url, {"school": world.school_a.pk, "name": "王校长"})
    assert twice.status_code == 400
    # A school of another district: refused (out of reach, or not the campaign's district).
    assert client.post(url, {"school": world.school_b.pk, "name": "x"}).status_code in (400, 404)
    assert Appraisee.objects.filter(campaign=campaign).count() == 1
    # District B may not add to A's campaign (it does not even see it).
    b = login(world.user("district_b"))
    assert b.post(url, {"school": world.school_b.pk, "name": "x"}).status_code == 404


def test_bureau_may_add_a_school_of_another_district_only_where_it_belongs(world, login):
    bureau = login(world.user("bureau"))
    campaign = bureau.post(API, {"district": world.district_a.pk, "term": "2027"}).json()
    wrong = bureau.post(
        f"{API}{campaign['id']}/principals/", {"school": world.school_b.pk, "name": "x"}
    )
    assert wrong.status_code == 400 and "区" in wrong.content.decode()


def test_a_teacher_may_not_start_a_campaign(world, login):
    response = login(world.user("teacher_a")).post(
        API, {"district": world.district_a.pk, "term": "2030"}
    )
    assert response.status_code in (403, 404)
    assert not Campaign.objects.filter(term="2030").exists()


def test_close_refuses_answers_and_open_again(world, login, django_capture_on_commit_callbacks):
    by = world.user("district_a")
    campaign = opened(
        services.start_campaign(district=world.district_a, term="2023—2026", by=by), by
    )
    principal = services.add_principal(
        campaign=campaign, school=world.school_a, name="王校长", by=by
    )
    links = services.issue_links(appraisee=principal, group=RaterGroup.TEACHERS, count=6, by=by)
    for link in links[:5]:
        services.rate(token=link.token, answers=item_answers(link, 4))
    client = login(by)
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(f"{API}{campaign.pk}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    # Closing computed the final scores.
    assert closed.json()["progress"] == 100 or Campaign.objects.get(pk=campaign.pk).progress == 100
    principal.refresh_from_db()
    assert str(principal.score) == "4.00"
    with pytest.raises(ValidationError):
        services.rate(token=links[5].token, answers=item_answers(links[5], 1))
    assert login(world.user("district_b")).post(f"{API}{campaign.pk}/open/").status_code == 404
    reopened = client.post(f"{API}{campaign.pk}/open/")
    assert reopened.status_code == 200 and reopened.json()["status"] == CampaignStatus.OPEN
    services.rate(token=links[5].token, answers=item_answers(links[5], 1))
    # The bureau reads but the API's open/close is a change: the bureau may too.
    assert login(world.user("bureau")).post(f"{API}{campaign.pk}/close/").status_code == 200


def _export(user, identifier, data):
    from core.exports import start_export
    from core.models import ExportJob
    from core.tasks import run_export_job

    job = start_export(user=user, identifier=identifier, data=data)
    run_export_job(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    return load_workbook(job.file.path)


def test_excel_exports_of_the_profile_and_a_principal(world):
    by = world.user("district_a")
    campaign = opened(
        services.start_campaign(district=world.district_a, term="2023—2026", by=by), by
    )
    wang = services.add_principal(campaign=campaign, school=world.school_a, name="王校长", by=by)
    services.add_principal(campaign=campaign, school=world.school_a2, name="李校长", by=by)
    for group, n, value in ((RaterGroup.TEACHERS, 5, 4), (RaterGroup.PARENTS, 2, 1)):
        for link in services.issue_links(appraisee=wang, group=group, count=n, by=by):
            services.rate(token=link.token, answers=item_answers(link, value))
    compute_campaign(campaign.pk)

    book = _export(by, "evaluation-profile", {"campaign": campaign.pk})
    profile, distribution = (list(ws.iter_rows(values_only=True)) for ws in book.worksheets)
    assert len(profile) == 3  # the header and two schools
    wang_row = next(r for r in profile if r[1] == "王校长")
    assert wang_row[2:8] == (4, 4, 4, 4, 4, 4)  # five dimensions and the score
    assert wang_row[8:] == (0, 2, 5, 0)  # answers per group, the parents' under the minimum
    assert next(r for r in profile if r[1] == "李校长")[2] is None
    assert [r[0] for r in distribution[1:]] and distribution[1][1:] == (0, 0, 1)

    report = list(
        _export(by, "evaluation-principal", {"principal": wang.pk}).active.iter_rows(
            values_only=True
        )
    )
    parents = next(r for r in report if r[0] == "家长")
    assert parents[2] == 2 and set(parents[3:]) == {None}  # under the minimum: no scores
    teachers = next(r for r in report if r[0] == "教师")
    assert teachers[1:] == (35, 5, 4, 4, 4, 4, 4)

    # Another district's staff exports nothing of this campaign.
    other = _export(world.user("district_b"), "evaluation-profile", {"campaign": campaign.pk})
    assert len(list(other.worksheets[0].iter_rows(values_only=True))) == 1
    report = _export(world.user("district_b"), "evaluation-principal", {"principal": wang.pk})
    assert len(list(report.active.iter_rows(values_only=True))) == 1
