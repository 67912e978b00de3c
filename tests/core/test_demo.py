"""The demo federation (``manage.py load_demo``): it loads once, loading it
again changes nothing, it prints one log-in per role, and every demo account
signs in through the real form and lands on its Chinese home page.

Every test here shares one load of the demo per module (``demo_federation``);
what a test writes is rolled back after it."""

import re

import pytest
from django.apps import apps
from django.core.management import call_command

from core.registry import registry

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def demo(demo_federation, db):
    """The demo federation, loaded once for this module (tests/conftest.py)."""


def test_demo_loads_twice_without_changes(demo):
    first = row_counts()
    assert first["centers.Center"] == 17
    assert first["centers.District"] == 11
    call_command("load_demo", "--quiet-accounts")
    assert row_counts() == first


def test_demo_prints_one_login_per_role(demo):
    from io import StringIO

    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    for _label, username, password in registry.demo_accounts:
        assert username in text and password in text


def test_every_demo_account_lands_on_its_chinese_home_page(demo, client):
    assert registry.demo_accounts
    for _label, username, password in registry.demo_accounts:
        client.cookies.clear()
        response = client.post(
            "/accounts/login/", {"username": username, "password": password}, follow=True
        )
        assert response.status_code == 200, username
        assert response.redirect_chain[-1][0] == "/", username
        html = response.content.decode()
        title = re.search(r'<h1[^>]*id="home-title"[^>]*>([^<]+)</h1>', html).group(1)
        assert CJK.search(title), (username, title)
        assert 'lang="zh-hans"' in html
        assert "data-panel=" in html, f"{username}'s home page is empty"
        client.post("/accounts/logout/")
