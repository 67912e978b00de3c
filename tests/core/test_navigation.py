"""The navigation is worked out once per set of roles (``Registry.nav_tree``)
and the page frame's fixed links once per URL configuration (``core.links``):
the same answer as working them out on every request, and a fresh one when
what they depend on changes."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, path, set_script_prefix

from core.links import address
from core.permissions import forget_scope
from core.registry import NavItem, Registry, registry
from tests.conftest import ACTOR_NAMES
from tests.factories import member

pytestmark = pytest.mark.django_db


def _shape(tree):
    return [(e.section and e.section.key, [i.key for i in e.items] or [e.item.key]) for e in tree]


def _uncached(user):
    """What ``nav_tree`` answered before it was kept: every item asked."""
    fresh = Registry(nav=list(registry.nav), sections=dict(registry.sections))
    return _shape(fresh._build_nav_tree(user))


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_the_kept_navigation_is_what_each_item_answers(world, actor):
    """``NavItem``'s contract (visibility follows from the roles alone) holds
    for every registered item and every user of the test world."""
    user = world.user(actor)
    registry.nav_tree(user)  # kept, possibly from another user of the same roles
    forget_scope(user)
    assert _shape(registry.nav_tree(user)) == _uncached(user)


def test_users_of_the_same_roles_share_it_and_other_roles_do_not(world):
    a, b = world.user("teacher_a"), world.user("district_a")
    assert registry.nav_tree(a) is registry.nav_tree(a)
    assert registry.nav_tree(a) is not registry.nav_tree(b)
    assert "teachers" in str(_shape(registry.nav_tree(b)))
    assert "teachers" not in str(_shape(registry.nav_tree(a)))


def test_a_new_role_shows_on_the_next_request_and_an_ended_one_goes(world, login):
    teacher = world.user("teacher_a")
    client = login(teacher)
    assert 'data-nav="teachers"' not in client.get("/").content.decode()
    membership = member(teacher, "district_staff", world.district_a)
    assert 'data-nav="teachers"' in client.get("/").content.decode()
    membership.ends_on = date.today() - timedelta(days=1)
    membership.starts_on = date(2020, 1, 1)
    membership.save()
    assert 'data-nav="teachers"' not in client.get("/").content.decode()


def test_registering_an_item_or_a_rule_starts_afresh(world, monkeypatch):
    from core.permissions import rules

    user = world.user("teacher_a")
    before = registry.nav_tree(user)
    monkeypatch.setattr(registry, "nav", list(registry.nav))
    monkeypatch.setattr(registry, "_nav_trees", {})
    registry.add_nav(NavItem("extra", "Extra", "home", order=999))
    assert "extra" in str(_shape(registry.nav_tree(user)))
    monkeypatch.setattr(rules, "version", rules.version + 1)
    assert registry.nav_tree(user) is not before


urlpatterns_moved = [path("moved/home/", lambda request: None, name="home")]


def test_fixed_links_follow_the_url_configuration_and_the_script_prefix(world, login):
    assert address("home") == "/"
    with override_settings(ROOT_URLCONF=__name__.replace("/", ".")):
        assert address("home") == "/moved/home/"
    clear_url_caches()
    assert address("home") == "/"
    set_script_prefix("/portal/")
    try:
        assert address("home") == "/portal/"
        assert registry.nav_tree(world.user("teacher_a"))[0].item.href == "/portal/"
    finally:
        set_script_prefix("/")
    assert registry.nav_tree(world.user("teacher_a"))[0].item.href == "/"
    html = login(world.user("teacher_a")).get("/").content.decode()
    assert 'class="navbar-brand fw-semibold" href="/"' in html
    assert 'href="/" data-nav="home"' in html


urlpatterns = urlpatterns_moved


def test_the_bar_folds_what_does_not_fit_into_more(world, login, monkeypatch):
    """One line at 1366 px: the first ``bar_limit`` entries, then "更多" with
    the rest (a folded section's links under its title), marked active when
    the page is one of them."""
    bureau = world.user("bureau")
    tree = registry.nav_tree(bureau)
    monkeypatch.setattr(registry, "bar_limit", 3)
    bar = registry.nav_bar(bureau)
    assert [e.order for e in bar[:3]] == [e.order for e in tree[:3]]
    more = bar[-1]
    assert len(bar) == 4 and more.section.key == "more"
    folded = [i.key for e in tree[3:] for i in (e.items or [e.item])]
    assert [i.key for i in more.items] == folded
    assert {i.heading for i in more.items if i.heading} == {
        e.section.label for e in tree[3:] if e.section
    }
    html = login(bureau).get("/audit/").content.decode()
    assert 'data-nav-section="more">' in html and "更多" in html
    toggle = 'dropdown-toggle active" href="#" role="button" data-bs-toggle="dropdown"'
    assert f'{toggle} aria-expanded="false" data-nav-section="more"' in html
    assert 'class="dropdown-header"' in html


def test_the_bar_folds_earlier_in_english(world, login, settings):
    """English labels run about twice as wide as Chinese: the bar keeps five
    entries before "More" in English (``bar_limits``), eight in Chinese."""
    from django.utils import translation

    bureau = world.user("bureau")
    tree = registry.nav_tree(bureau)
    assert len(tree) > registry.bar_limit + 1
    with translation.override("en"):
        english = registry.nav_bar(bureau)
    chinese = registry.nav_bar(bureau)
    assert len(english) == 6 and english[-1].section.key == "more"
    assert len(chinese) == registry.bar_limit + 1 and chinese[-1].section.key == "more"
    folded = [i.key for e in tree[5:] for i in (e.items or [e.item])]
    assert [i.key for i in english[-1].items] == folded
    client = login(bureau)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert html.count('class="nav-item') == 6 and ">More<" in html


# The loops ``templates/base.html`` ran before ``{% nav_bar %}`` wrote the same
# links in one pass (between ``<ul class="navbar-nav me-auto">`` and ``</ul>``),
# kept as they were in ``former_nav_bar.html``.
FORMER_NAV = (Path(__file__).parent / "former_nav_bar.html").read_text(encoding="utf-8")


def _nav_context(user, here, counts):
    from types import SimpleNamespace

    from django.template import Context

    match = None if here is None else SimpleNamespace(view_name=here)
    return Context(
        {
            "request": SimpleNamespace(resolver_match=match),
            "nav_entries": registry.nav_bar(user),
            "inbox_count": lambda: counts[0],
            "unread_count": lambda: counts[1],
        }
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_the_nav_bar_writes_what_the_former_template_wrote(world, actor):
    """Every user of the test world, both languages, no page, the home page, a
    page inside a menu and each badge page, with and without badge counts."""
    from django.template import Template
    from django.utils import translation

    user = world.user(actor)
    former = Template(FORMER_NAV)
    tag = Template("{% load portal %}{% nav_bar %}\n      ")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            bar = registry.nav_bar(user)
            inside = [i.url_name for e in bar for i in e.items]
            for here in (None, "", "home", "inbox", "notifications", *inside[:1], *inside[-1:]):
                for counts in ((0, 0), (3, 1234)):
                    expected = former.render(_nav_context(user, here, counts))
                    assert tag.render(_nav_context(user, here, counts)) == expected


def test_the_nav_bar_escapes_as_the_template_did(world):
    from django.template import Template

    from core.registry import NavEntry, NavLink, NavSection

    odd = NavLink("x<y", 'a "b" & <c>', "x:y", "/x?a=1&b='2'", 1)
    heading = NavLink("h", "h", "h:h", "/h/", 2, heading="<i>h</i>")
    entries = (
        NavEntry(order=1, item=odd, url_names=frozenset(["x:y"])),
        NavEntry(order=2, section=NavSection("s&", "S <s>"), items=(odd, heading)),
    )
    for here in ("x:y", "h:h", "other"):
        context = _nav_context(world.user("teacher_a"), here, (1, 2))
        context["nav_entries"] = entries
        expected = Template(FORMER_NAV).render(context)
        assert Template("{% load portal %}{% nav_bar %}\n      ").render(context) == expected


FRAME_STATIC = (
    "img/favicon.svg",
    "bootstrap/css/bootstrap.min.css",
    "css/portal.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "js/portal.js",
)


def test_the_frames_static_addresses_are_the_storages_and_follow_its_settings():
    from django.templatetags.static import static

    from core.links import static_address

    assert [static_address(p) for p in FRAME_STATIC] == [static(p) for p in FRAME_STATIC]
    with override_settings(STATIC_URL="/assets/"):
        assert static_address("css/portal.css") == static("css/portal.css")
        assert static_address("css/portal.css").startswith("/assets/")
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": "tests.core.test_navigation.HashedNames"},
        }
    ):
        assert static_address("css/portal.css") == static("css/portal.css")
        assert static_address("css/portal.css").endswith("portal.hashed.css")
        with override_settings(DEBUG=True):
            assert static_address("css/portal.css") == static("css/portal.css")
    assert static_address("css/portal.css") == static("css/portal.css")


class HashedNames:
    """A staticfiles storage standing for the manifest's (hashed names unless DEBUG)."""

    def url(self, name):
        from django.conf import settings

        if settings.DEBUG:
            return f"/static/{name}"
        stem, dot, ext = name.rpartition(".")
        return f"/static/{stem}.hashed{dot}{ext}"
