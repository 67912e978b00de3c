"""The alliance's tab bar (alliance/_tabs.html): a tab per section the user
may see, the current one marked; on wide screens two sets of tabs stand under
a dropdown each (共同任务, 资源共享), so fourteen tabs fit one line at 1366 px
(the screenshots of tests/core/test_phone.py show it)."""

import re

import pytest
from django.urls import reverse

from alliance.templatetags.alliance_tabs import GROUPS, TABS

pytestmark = pytest.mark.django_db


def test_the_secretariat_sees_every_tab_and_both_groups(secretariat, login):
    html = login(secretariat).get(reverse("alliance:devschool-list")).content.decode()
    bar = html[html.index("nav-grouped") :]
    for tab in TABS:
        assert reverse(tab.url) in bar
    assert "共同任务" in bar and "资源共享" in bar
    # the grouped tabs leave the line on wide screens, the groups join it there
    assert bar.count('class="nav-item d-xl-none"') == sum(1 for t in TABS if t.group)
    assert bar.count("nav-item dropdown d-none d-xl-block") == len(GROUPS)
    # the current page's tab is marked, in the line and in its group
    active = re.findall(r'class="(?:nav-link|dropdown-item|nav-link dropdown-toggle) active"', bar)
    assert len(active) == 3  # the line's tab, the group's toggle, the group's item
    assert bar.count('aria-current="page"') == 2
    devschool = reverse("alliance:devschool-list")
    assert f'active" aria-current="page" href="{devschool}"' in bar


def test_a_primary_page_marks_no_group(secretariat, login):
    html = login(secretariat).get(reverse("alliance:meeting-list")).content.decode()
    bar = html[html.index("nav-grouped") :]
    assert f'active" aria-current="page" href="{reverse("alliance:meeting-list")}"' in bar
    assert "dropdown-toggle active" not in bar


def test_a_group_shows_only_with_a_tab_the_user_may_see():
    """Center staff see what their permissions allow; a role without any of a
    group's sections gets no empty dropdown."""
    from alliance.templatetags import alliance_tabs

    class Request:
        resolver_match = None

        class user:
            @staticmethod
            def has_perm(perm):
                return perm in {"alliance.view_councilmember", "alliance.view_booking"}

    shown = alliance_tabs.alliance_tabs({"request": Request})
    assert [t["tab"].url for t in shown["tabs"]] == ["alliance:council", "alliance:booking-list"]
    assert [g["key"] for g in shown["groups"]] == ["sharing"]
    assert not any(t["active"] for t in shown["tabs"])
