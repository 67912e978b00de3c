"""The frame's badge statement (``core.inbox.badge_counts``) compiled once per
shape of scope (``core.statements.ScopedStatement``): for every actor of the
test world the same SQL and counts as the ORM's statement built for that user,
one compile for users of the same shape, a new one when a membership changes
the shape, and the ORM's own path where a value moves between compiles."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model

from core import inbox, notifications
from core.inbox import _BADGES, _badge_groups, badge_counts, count_groups, count_statement
from core.permissions import get_scope
from core.roles import Role
from core.statements import UNPREPARED
from credits import services
from tests.credits.conftest import policy  # noqa: F401 (the city policy, a fixture)
from tests.credits.test_notifications import submit
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


def fresh(user):
    """The user as a new request loads it (no scope read yet)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def busy(world):
    """Claims waiting at the school and at the district, unread notifications."""
    services.approve_claim(claim=submit(world), by=world.user("school_a"))
    submit(world, title="另一个")
    verb = next(iter(notifications.VERBS))
    for n, actor in enumerate(("teacher_a", "school_a", "district_a", "center_a", "vendor")):
        for _ in range(n + 1):
            notifications.notify(recipient=world.user(actor), verb=verb, title="x")
    _BADGES._compiled.clear()
    return world


def orm(user):
    """The counts and the statement as the ORM builds them for this user."""
    groups = _badge_groups(user)
    return tuple(count_groups(groups)), count_statement(groups)


def test_every_actor_gets_the_orms_statement_and_counts(busy, django_assert_max_num_queries):
    prepared = []
    for actor in busy.actors:
        for _ in range(2):  # the shape's first compile, then the compiled one
            user = fresh(busy.user(actor))
            expected, (using, sql, params) = orm(user)
            get_scope(user)
            with django_assert_max_num_queries(1):  # compiling runs no query
                assert badge_counts(user) == expected, actor
            found = _BADGES.statement(user, get_scope(user), _key(user))
            assert found[0] == using and found[1] == sql, actor
            # (an IN list in the set's order, which is arbitrary; a shape left
            # to the ORM composes again, with its own timezone.now())
            if sql is not None and _compiled(user) is not UNPREPARED:
                assert sorted(map(repr, found[2])) == sorted(map(repr, params)), actor
        if _compiled(user) is not UNPREPARED:
            prepared.append(actor)
    assert {"teacher_a", "school_a", "district_a", "bureau"} <= set(prepared)
    assert badge_counts(fresh(busy.user("school_a")))[0] >= 1
    assert badge_counts(fresh(busy.user("district_a"))) >= (1, 3)


def _key(user):
    return inbox._key(inbox.registry.inbox_for(user))


def _compiled(user):
    scope = get_scope(user)
    return next(
        found
        for shape, found in _BADGES._compiled.items()
        if shape[3] == tuple(sorted((r, len(ids)) for r, ids in scope.orgs.items()))
        and shape[0] == scope.superuser
    )


def test_users_of_one_shape_share_a_compile_and_count_their_own(busy):
    other = UserFactory(username="teacher_b")
    member(other, Role.TEACHER, busy.teacher_b)
    notifications.notify(recipient=other, verb=next(iter(notifications.VERBS)), title="y")
    before = _BADGES.compiles
    mine, theirs = badge_counts(fresh(busy.user("teacher_a"))), badge_counts(fresh(other))
    assert _BADGES.compiles == before + 1
    assert mine == orm(fresh(busy.user("teacher_a")))[0] and mine[1] == 1
    assert theirs == orm(fresh(other))[0] == (0, 1)


def test_a_membership_changes_the_shape_and_the_statement(busy):
    user = busy.user("school_a")
    first = badge_counts(fresh(user))
    compiles = _BADGES.compiles
    extra = member(user, Role.SCHOOL_ADMIN, busy.school_a2)  # one school more: a longer IN
    assert badge_counts(fresh(user)) == orm(fresh(user))[0]
    assert _BADGES.compiles == compiles + 1
    district = member(user, Role.DISTRICT_STAFF, busy.district_a)  # a new role
    assert badge_counts(fresh(user)) == orm(fresh(user))[0]
    assert badge_counts(fresh(user))[0] > first[0]  # the district's claim now
    assert _BADGES.compiles == compiles + 2
    for membership in (extra, district):
        membership.starts_on = date(2020, 1, 1)
        membership.ends_on = date.today() - timedelta(days=1)
        membership.save()
    assert badge_counts(fresh(user)) == first
    assert _BADGES.compiles == compiles + 2  # the first shape again, compiled already


def test_a_value_that_moves_between_compiles_keeps_the_orms_path(busy, monkeypatch):
    from core.registry import InboxSource, registry

    moving = iter(range(10_000, 20_000))
    source = InboxSource(
        key="test-moving",
        label="moving",
        items=lambda user: get_user_model().objects.filter(pk__gt=next(moving)),
        visible=lambda user: True,
    )
    monkeypatch.setattr(registry, "inbox", [*registry.inbox, source])
    user = fresh(busy.user("teacher_a"))
    assert badge_counts(user) == orm(fresh(user))[0]
    assert _compiled(user) is UNPREPARED
    assert badge_counts(fresh(user)) == orm(fresh(user))[0]
