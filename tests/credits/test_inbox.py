"""The to-do inbox (待办): each app's sources, scoped by ``restrict``, with
the count in the navigation and a page whose query count does not grow."""

from datetime import date

import pytest

from core.inbox import inbox, inbox_count
from credits import services
from tests.contracts import assert_constant_queries

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def submit(world, teacher=None, by="teacher_a", title="全国课标研讨会"):
    return services.submit_claim(
        teacher=teacher or world.teacher_a,
        by=world.user(by),
        title=title,
        category="subject",
        hours="12",
        earned_on=date(2025, 3, 1),
        files=[pdf_upload()],
    )


def keys(user):
    return {group.source.key: group for group in inbox(user)}


def test_claims_wait_for_the_school_then_the_district(world, policy):
    claim = submit(world)
    school, district = world.user("school_a"), world.user("district_a")
    assert keys(school)["credits-claims"].count == 1
    assert "credits-claims" not in keys(district)  # not yet theirs
    assert "credits-claims" not in keys(world.user("district_b"))
    assert "credits-claims" not in keys(world.user("teacher_a"))
    item = keys(school)["credits-claims"].items[0]
    assert world.teacher_a.name in item.text and "全国课标研讨会" in item.text
    assert item.url == claim.get_absolute_url()

    services.approve_claim(claim=claim, by=school)
    assert "credits-claims" not in keys(school)
    assert keys(district)["credits-claims"].count == 1
    assert inbox_count(district) == 1
    services.approve_claim(claim=claim, by=district)
    assert inbox_count(district) == 0


def test_nav_badge_and_page(world, policy, login):
    submit(world)
    client = login(world.user("school_a"))
    page = client.get("/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="inbox-count">1<' in html
    assert 'data-inbox="credits-claims"' in html
    assert "全国课标研讨会" in html
    empty = login(world.user("district_b")).get("/inbox/").content.decode()
    assert 'id="inbox-count"' not in empty and "empty-state" in empty


def test_inbox_page_queries_do_not_grow(world, policy, login):
    client = login(world.user("school_a"))
    submit(world)

    def add_rows(n):
        for i in range(n):
            submit(world, title=f"活动{i}")

    assert_constant_queries(client, "/inbox/", add_rows, more=12)


def test_the_badge_sums_every_source_in_one_query(world, policy, django_assert_num_queries):
    """The navigation's badge (``inbox_count``) is the sum of every visible
    source's ``count()``, read in one statement however many sources the
    user's roles see (a district official sees several)."""
    from django.contrib.auth import get_user_model

    from core.permissions import get_scope
    from core.registry import registry

    services.approve_claim(claim=submit(world), by=world.user("school_a"))  # the district's
    submit(world, title="另一个")  # the school's
    counted = {}
    for actor in ("school_a", "district_a", "district_b", "bureau", "teacher_a"):
        user = get_user_model().objects.get(pk=world.user(actor).pk)  # a fresh request's user
        get_scope(user)  # the memberships, read once per request before the badge
        sources = [qs for s in registry.inbox_for(user) if (qs := s.items(user)) is not None]
        expected = sum(qs.count() for qs in sources)
        with django_assert_num_queries(1 if sources else 0):
            counted[actor] = inbox_count(user)
        assert counted[actor] == expected, actor
    assert len(registry.inbox_for(world.user("district_a"))) > 1
    assert counted["school_a"] >= 1 and counted["district_a"] >= 1


def test_both_badges_in_one_statement_match_the_counts_one_by_one(
    world, policy, django_assert_num_queries, django_assert_max_num_queries
):
    """The frame's two badges (``Badges``: the inbox's sources and the unread
    notifications) are one statement, and give for every actor of the world
    what ``inbox_count`` and ``notifications.unread_count`` give apart."""
    from django.contrib.auth import get_user_model

    from core import notifications
    from core.inbox import Badges
    from core.permissions import get_scope

    services.approve_claim(claim=submit(world), by=world.user("school_a"))
    submit(world, title="另一个")
    verb = next(iter(notifications.VERBS))
    for n, actor in enumerate(("teacher_a", "school_a", "district_a", "bureau")):
        for _ in range(n + 1):
            notifications.notify(recipient=world.user(actor), verb=verb, title="x")
    notifications.mark_read(user=world.user("bureau"))
    seen = {}
    for actor in world.actors:
        user = get_user_model().objects.get(pk=world.user(actor).pk)  # a fresh request's user
        get_scope(user)
        expected = (inbox_count(user), notifications.unread_count(user))
        badges = Badges(user)
        with django_assert_max_num_queries(1):  # none when nothing is theirs to count
            seen[actor] = (badges.inbox(), badges.unread())
        with django_assert_num_queries(0):  # read once a request
            assert (badges.unread(), badges.inbox()) == expected[::-1]
        assert seen[actor] == expected, actor
    assert seen["school_a"][0] >= 1 and seen["district_a"][0] >= 1
    assert seen["teacher_a"][1] >= 1 and seen["district_a"][1] >= 3
    assert seen["bureau"][1] == 0


def test_the_frame_counts_both_badges_in_one_query(world, policy, login):
    """A page whose frame shows both badges reads them in one statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import notifications

    submit(world)
    notifications.notify(
        recipient=world.user("school_a"), verb=next(iter(notifications.VERBS)), title="x"
    )
    client = login(world.user("school_a"))
    client.get("/inbox/")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/inbox/").content.decode()
    assert 'id="inbox-count">1<' in html and 'id="unread-count">1<' in html
    counting = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"].upper()]
    badges = [sql for sql in counting if "core_notification" in sql]
    assert len(badges) == 1 and "credits_creditclaim" in badges[0]
