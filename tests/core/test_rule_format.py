"""The rule format: a scope per action, unions of paths, extra actions, and
roles registered by apps (issue 8, items 1 and 2)."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from core.models import Membership
from core.permissions import ALL, RuleRegistry, can, restrict, sees_all
from core.roles import Role, RoleRegistry, roles
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def test_see_all_change_own(world):
    """Alliance bookings: member staff see every member's, change their own."""
    from datetime import timedelta

    from django.utils import timezone

    from alliance.models import Booking
    from centers.models import Campus, Room

    room = Room.objects.create(
        campus=Campus.objects.create(center=world.center_a, name="主校区"), name="报告厅", seats=100
    )
    start = timezone.now() + timedelta(days=3)
    booking = Booking.objects.create(
        room=room,
        center=world.center_a,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        purpose="联合教研",
    )
    other = world.user("center_b")
    assert list(Booking.objects.restrict(other, "view")) == [booking]
    assert not Booking.objects.restrict(other, "change").exists()
    assert Booking.objects.restrict(world.user("center_a"), "change").get() == booking
    assert can(other, "view", booking) and not can(other, "change", booking)


def test_per_action_paths_and_unions():
    registry = RuleRegistry()
    registry.register(
        "centers.school",
        {
            Role.CENTER_STAFF: {"view": ALL, "add change": "district"},
            Role.SCHOOL_ADMIN: ("view", ("pk", "district")),
        },
        actions=("merge",),
    )
    registry.register("centers.school", {Role.BUREAU: ("merge", ALL)})  # adds, not replaces
    school = registry.get("centers.school")
    assert school.paths(Role.CENTER_STAFF, "view") == (ALL,)
    assert school.paths(Role.CENTER_STAFF, "change") == ("district",)
    assert school.paths(Role.SCHOOL_ADMIN, "view") == ("pk", "district")
    assert school.actions_of(Role.BUREAU) == {"merge"}
    assert "centers.merge_school" in registry.permissions_for_roles({Role.BUREAU})
    with pytest.raises(ValueError, match="unknown actions"):
        registry.register("centers.school", {Role.BUREAU: ("destroy", ALL)})


def test_an_unknown_action_is_an_error_not_an_empty_answer(world):
    from centers.models import School

    with pytest.raises(ValueError, match="no action 'veiw'"):
        School.objects.restrict(world.user("bureau"), "veiw")


def test_extra_actions_answer_like_the_others(world):
    from centers.models import Center, District, Teacher

    district = world.user("district_a")
    assert can(district, "reveal_id", world.teacher_a)
    assert not can(district, "reveal_id", world.teacher_b)
    assert not can(world.user("center_a"), "reveal_id", Teacher)
    assert set(Center.objects.restrict(district, "standards")) == {world.district_center_a}
    assert not can(district, "matrix", Center)
    assert sees_all(world.user("bureau"), "follow_credits", District)
    assert not sees_all(district, "follow_credits", District)
    assert list(District.objects.restrict(district, "follow_credits")) == [world.district_a]
    assert list(restrict(Teacher.objects.all(), world.user("teacher_a"), "self")) == [
        world.teacher_a
    ]


def test_a_role_registered_by_an_app():
    registry = RoleRegistry()
    registry._discovered = True
    registry.register("studio_host", "Studio host", organisation="centers.school", order=60)
    assert registry.organisation("studio_host") == "centers.school"
    assert ("studio_host", "Studio host") in registry.choices()
    with pytest.raises(ValueError):
        registry.register("studio_host", "x", organisation="centers.center")
    with pytest.raises(ValueError):
        registry.register("Bad Code", "x")


def test_registered_roles_point_memberships_at_their_organisation(world):
    assert Role.CENTER_STAFF == "center_staff"
    assert roles.organisation(Role.TEACHER) == "centers.teacher"
    assert roles.organisation(Role.BUREAU) is None
    assert roles.api_clients() == [Role.DISTRICT_SYSTEM]
    with pytest.raises(AttributeError):
        Role.NO_SUCH_ROLE  # noqa: B018
    user = UserFactory()
    membership = Membership(user=user, role=Role.SCHOOL_ADMIN, organisation_id=999_999)
    with pytest.raises(ValidationError):
        membership.full_clean()
    membership = member(user, Role.SCHOOL_ADMIN, world.school_a)
    assert membership.organisation == world.school_a
    assert membership.get_role_display() == str(roles[Role.SCHOOL_ADMIN].label)


def test_core_names_no_app():
    """Core keeps the mechanism; apps register roles, rules and menus."""
    core = Path(__file__).resolve().parents[2] / "core"
    apps = ("centers", "alliance", "credits", "funding", "training", "studios")
    found = []
    for path in core.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            names_app = (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and any(node.value.startswith(f"{app}.") or node.value == app for app in apps)
            )
            if names_app:
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in apps:
                found.append(f"{path.name}:{node.lineno} import {node.module}")
    assert not found, found


def test_credits_menu_section_is_the_credits_apps():
    from core.registry import registry
    from credits.apps import CreditsConfig

    assert "credits" in registry.sections
    assert 'NavSection("credits"' in Path(CreditsConfig.ready.__code__.co_filename).read_text()


def test_export_options_offer_only_what_the_user_may_see(world):
    """The standards export's center is chosen among the user's centers: an
    outside one is an invalid option (400), not a job failing in the worker."""
    from core.exports import start_export

    district = world.user("district_a")
    with pytest.raises(ValidationError):
        start_export(
            user=district, identifier="center-standards", data={"center": world.center_a.pk}
        )
    job = start_export(
        user=district, identifier="center-standards", data={"center": world.district_center_a.pk}
    )
    job.refresh_from_db()
    assert job.options == {"center": world.district_center_a.pk}
