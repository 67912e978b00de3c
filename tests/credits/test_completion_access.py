"""Completion and the at-risk list follow other teachers' progress: pages,
navigation and exports agree on who may see them."""

import pytest
from django.urls import reverse

from core.exports import registry as exporters
from core.registry import registry

pytestmark = pytest.mark.django_db

PAGES = ["credits:completion", "credits:at-risk"]
EXPORTS = {"credits-completion", "credits-at-risk"}


@pytest.mark.parametrize("actor", ["bureau", "district_a", "school_a", "center_a"])
def test_staff_follow_completion_everywhere(world, login, actor):
    client = login(world.user(actor))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200
    assert {e.identifier for e in exporters.available_to(world.user(actor))} >= EXPORTS
    assert "credits-completion" in {i.key for i in registry.nav_for(world.user(actor))}


def test_a_teacher_follows_only_their_own_hours(world, login):
    teacher = world.user("teacher_a")
    client = login(teacher)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert not EXPORTS & {e.identifier for e in exporters.available_to(teacher)}
    assert "credits-completion" not in {i.key for i in registry.nav_for(teacher)}
    response = client.post(reverse("api:export-start", args=["credits-at-risk"]))
    assert response.status_code == 403
