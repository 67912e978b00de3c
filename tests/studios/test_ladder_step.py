"""Issue 13, Ladders: a studio's host records the host's step of the centers'
career ladders (seed 000: 工作室主持人 on the municipal teacher ladder)."""

import pytest
from django.urls import reverse

from studios.models import PersonRole, StudioPerson

pytestmark = pytest.mark.django_db


def _host(studio):
    return StudioPerson.objects.get(studio=studio, role=PersonRole.HOST)


def _post(client, person, value):
    return client.post(
        reverse("api:studio-person-ladder-step", args=[person.pk]),
        {"ladder_step": value},
        content_type="application/json",
    )


def test_the_managing_center_records_the_hosts_step(world, studios, login):
    host = _host(studios.a)
    answer = _post(login(world.user("center_a")), host, "municipal-teacher:studio_host")
    assert answer.status_code == 200, answer.content
    assert answer.json()["ladder_step_name"] == "工作室主持人（教师培养四级梯次）"
    page = login(world.user("center_a")).get(studios.a.get_absolute_url())
    assert "工作室主持人（教师培养四级梯次）" in page.content.decode()


def test_an_unknown_step_is_refused_in_chinese(world, studios, login):
    answer = _post(login(world.user("center_a")), _host(studios.a), "studio_host")
    assert answer.status_code == 400
    assert "未知的成长梯级" in answer.content.decode()


def test_only_the_host_records_a_step(world, studios, login):
    member = StudioPerson.objects.get(studio=studios.a, teacher=studios.member_a)
    answer = _post(login(world.user("center_a")), member, "municipal-teacher:key")
    assert answer.status_code == 400
    assert "只有工作室主持人" in answer.content.decode()


def test_another_center_is_refused(world, studios, login):
    host = _host(studios.b)
    answer = _post(login(world.user("center_a")), host, "municipal-teacher:studio_host")
    assert answer.status_code in (403, 404)
    host.refresh_from_db()
    assert host.ladder_step == ""
