import pytest
from django.urls import reverse

from centers.models import School, Teacher
from core.models import ApiToken
from core.permissions import can, get_scope
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_scopes_come_from_active_memberships(world):
    scope = get_scope(world.user("district_a"))
    assert scope.roles == {Role.DISTRICT_STAFF}
    assert scope.ids(Role.DISTRICT_STAFF) == {world.district_a.pk}
    assert get_scope(world.user("outsider")).roles == frozenset()


def test_restrict_narrows_to_each_roles_scope(world):
    schools = School.objects.all()
    assert set(schools.restrict(world.user("bureau"))) == set(schools)
    assert set(schools.restrict(world.user("district_a"))) == {world.school_a, world.school_a2}
    assert set(schools.restrict(world.user("school_a"))) == {world.school_a}
    assert not schools.restrict(world.user("outsider")).exists()
    assert list(Teacher.objects.restrict(world.user("teacher_a"))) == [world.teacher_a]


def test_ended_membership_gives_nothing(world):
    from datetime import date

    m = world.user("district_b").memberships.get()
    m.ends_on = date(2020, 12, 31)
    m.save()
    user = type(world.user("district_b")).objects.get(pk=m.user_id)
    assert not School.objects.restrict(user).exists()


def test_can_separates_no_right_from_scope(world):
    assert can(world.user("district_a"), "add", School)
    assert not can(world.user("teacher_a"), "add", School)
    assert not can(world.user("outsider"), "view", School)
    assert world.user("district_a").has_perm("centers.change_school")
    assert not world.user("teacher_a").has_perm("centers.change_school")


@pytest.fixture
def school_grants():
    """Schools registered with per-object grants for the test (training's
    sub-projects are registered so for vendors)."""
    import copy

    from core.permissions import rules

    original = copy.deepcopy(rules.get("centers.school"))
    rules.register("centers.school", {}, object_grants=True)
    yield
    rules._rules["centers.school"] = original


def test_vendor_per_object_grant_widens_scope_for_that_action_only(world, school_grants):
    from guardian.shortcuts import assign_perm, remove_perm

    vendor = world.user("vendor")
    assert get_scope(vendor).roles == {Role.VENDOR}
    assert not School.objects.restrict(vendor).exists()
    assert not can(vendor, "view", School)
    assign_perm("centers.view_school", vendor, world.school_b)
    assert list(School.objects.restrict(vendor)) == [world.school_b]
    assert can(vendor, "view", School) and can(vendor, "view", world.school_b)
    assert not can(vendor, "view", world.school_a)
    assert not School.objects.restrict(vendor, "change").exists()
    remove_perm("centers.view_school", vendor, world.school_b)
    assert not School.objects.restrict(vendor).exists()


def test_token_scope_is_its_one_membership(world, api_token, client):
    raw, token = api_token("system_a")
    response = client.get(reverse("api:school-list"), HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world.school_a.pk, world.school_a2.pk}
    # The same key for another district's school answers 404.
    response = client.get(
        reverse("api:school-detail", args=[world.school_b.pk]), HTTP_AUTHORIZATION=f"Token {raw}"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_revoked_and_expired_tokens_are_refused(world, api_token, client):
    from django.utils import timezone

    raw, token = api_token("system_a")
    token.revoke()
    r = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {raw}")
    assert r.status_code == 401
    raw2, token2 = api_token("system_a")
    ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now())
    r = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {raw2}")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "authentication_failed"


def test_tokens_are_stored_hashed(world, api_token):
    raw, token = api_token("system_a")
    token.refresh_from_db()
    assert raw not in (token.key_hash, token.prefix)
    assert len(token.key_hash) == 64
