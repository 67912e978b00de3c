"""The UI shell: the site is Chinese by default, English on request, fully
translated, and uses no CDN (the demo accounts' home pages: test_demo.py)."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(settings.BASE_DIR)


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in html and "登录" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in html and "Sign in" in html and "登录" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_an_english_browser_still_gets_chinese_pages_but_the_api_honours_it(client, world):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html and "登录" in html
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Authentication credentials were not provided."
    response = client.get("/api/v1/me/")
    assert response.json()["error"]["message"] != "Authentication credentials were not provided."


def _locale_dirs():
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        path = Path(config.path)
        if path.resolve().is_relative_to(ROOT.resolve()) and "site-packages" not in path.parts:
            dirs.append(path / "locale")
    return [d for d in dirs if d.is_dir()]


def test_core_and_site_catalogues_exist():
    for base in (ROOT, ROOT / "core"):
        assert (base / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").is_file(), base


@pytest.mark.parametrize(
    "po_path",
    [p for d in _locale_dirs() for p in sorted(d.glob("*/LC_MESSAGES/*.po"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_catalogue_is_complete(po_path):
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            fuzzy.append(message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy[:5]}"
    assert not untranslated, f"untranslated in {po_path}: {untranslated[:5]}"


def _external_assets(html):
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html, re.I)
    urls = [u for tag in tags for u in re.findall(r'(?:src|href)=["\']([^"\']+)', tag)]
    return [u for u in urls if re.match(r"(https?:)?//", u)]


@pytest.mark.parametrize("actor", ["bureau", "district_a", "teacher_a", "system_a"])
def test_pages_use_only_local_assets(world, login, client, actor):
    user_client = login(world.user(actor))
    pages = ["/", "/exports/", "/accounts/password/", "/api/v1/docs/"]
    if actor == "bureau":
        pages += ["/audit/", "/accounts/tokens/"]
    for url in pages:
        response = user_client.get(url)
        assert response.status_code == 200, url
        assert not _external_assets(response.content.decode()), url
    assert not _external_assets(client.get("/accounts/login/").content.decode())


def test_navigation_follows_the_role(world, login):
    html = login(world.user("bureau")).get("/").content.decode()
    assert 'data-nav="audit"' in html
    html = login(world.user("teacher_a")).get("/").content.decode()
    assert 'data-nav="audit"' not in html and 'data-nav="api-tokens"' not in html
    html = login(world.user("district_a")).get("/").content.decode()
    assert 'data-nav="api-tokens"' in html


def test_user_without_role_is_told_what_to_do(world, login):
    response = login(world.user("outsider")).get("/")
    assert response.status_code == 200
    assert "empty-state" in response.content.decode()


def test_home_page_query_count_is_constant(world, login, start_export_jobs):
    from tests.contracts import assert_constant_queries

    client = login(world.user("district_a"))
    start_export_jobs(world.user("district_a"), 1)
    assert_constant_queries(client, "/", lambda n: start_export_jobs(world.user("district_a"), n))


@pytest.fixture
def start_export_jobs():
    from core.models import ExportJob

    def _make(user, n):
        for _ in range(n):
            ExportJob.objects.create(owner=user, exporter="centers")

    return _make


def test_navigation_groups_items_in_menus_and_flattens_lone_ones(world, login):
    from core.registry import registry

    tree = registry.nav_tree(world.user("bureau"))
    sections = {e.section.key: [i.key for i in e.items] for e in tree if e.section}
    assert {"centers", "schools", "teachers"} <= set(sections["people"])
    assert "audit" in sections["admin"]
    assert [e.order for e in tree] == sorted(e.order for e in tree)
    html = login(world.user("bureau")).get("/").content.decode()
    assert 'data-nav-section="people"' in html and 'data-nav="teachers"' in html
    # A teacher's one item of a section is a plain link, not a menu of one.
    for entry in registry.nav_tree(world.user("teacher_a")):
        assert entry.section is None or len(entry.items) > 1
