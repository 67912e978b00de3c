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
    from core.models import User
    from core.services import is_machine_account

    for _label, username, password in registry.demo_accounts:
        client.cookies.clear()
        response = client.post(
            "/accounts/login/", {"username": username, "password": password}, follow=True
        )
        assert response.status_code == 200, username
        if is_machine_account(User.objects.get(username=username)):
            # A district system works through the API: no page, a token instead.
            assert not response.redirect_chain and "区县系统账户" in response.content.decode()
            token = client.post("/api/v1/auth/token/", {"username": username, "password": password})
            assert token.status_code == 201, username
            continue
        assert response.redirect_chain[-1][0] == "/", username
        html = response.content.decode()
        title = re.search(r'<h1[^>]*id="home-title"[^>]*>([^<]+)</h1>', html).group(1)
        assert CJK.search(title), (username, title)
        assert 'lang="zh-hans"' in html
        assert "data-panel=" in html, f"{username}'s home page is empty"
        client.post("/accounts/logout/")
