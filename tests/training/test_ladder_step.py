"""Issue 13, Ladders: a sub-project's target group refers to a step of the
centers' career ladders (``centers.ladders_data``) by ``ladder:step``, shown
with its Chinese name on the page and in the API; an unknown step is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from training import services

from .objects import training_objects

pytestmark = pytest.mark.django_db


def test_api_sets_a_step_and_shows_its_chinese_name(world, login):
    o = training_objects(world)
    url = reverse("api:training-subproject-ladder-step", args=[o.sub_a.pk])
    answer = login(world.user("center_a")).post(
        url, {"ladder_step": "municipal-teacher:key"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["ladder_step"] == "municipal-teacher:key"
    assert answer.json()["ladder_step_name"] == "骨干教师（教师培养四级梯次）"
    o.sub_a.refresh_from_db()
    assert o.sub_a.ladder_step == "municipal-teacher:key"


def test_api_refuses_an_unknown_step_in_chinese(world, login):
    o = training_objects(world)
    url = reverse("api:training-subproject-ladder-step", args=[o.sub_a.pk])
    answer = login(world.user("center_a")).post(
        url, {"ladder_step": "municipal-teacher:astronaut"}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "未知的成长梯级" in answer.content.decode()
    o.sub_a.refresh_from_db()
    assert o.sub_a.ladder_step == ""


def test_another_center_may_not_set_the_step(world, login):
    o = training_objects(world)
    url = reverse("api:training-subproject-ladder-step", args=[o.sub_b.pk])
    answer = login(world.user("center_a")).post(
        url, {"ladder_step": "municipal-teacher:key"}, content_type="application/json"
    )
    assert answer.status_code in (403, 404)
    o.sub_b.refresh_from_db()
    assert o.sub_b.ladder_step == ""


def test_the_model_refuses_an_unknown_step_on_save(world):
    """The form path (``save_subproject``) runs the same validator."""
    o = training_objects(world)
    o.sub_a.ladder_step = "new"  # a step without its ladder
    with pytest.raises(ValidationError) as refused:
        o.sub_a.full_clean(exclude=["center_reason"])
    assert "ladder_step" in refused.value.message_dict


def test_page_shows_the_chinese_name(world, login):
    o = training_objects(world)
    services.set_ladder_step(
        subproject=o.sub_a, ladder_step="principal:high_level", by=world.user("center_a")
    )
    page = login(world.user("center_a")).get(o.sub_a.get_absolute_url())
    assert page.status_code == 200
    assert "高水平培训（校长培养四级梯次）" in page.content.decode()
