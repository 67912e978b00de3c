"""Two-factor sign-in (core/twofactor.py): staff roles must enrol an
authenticator (QR drawn locally) and verify it after the password; recovery
codes work once; teachers may enrol; every step is audited; demo and
development sign in with a password while enforcement is off."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditAction, AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


@pytest.fixture
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True
    return settings


def code(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return totp.token()


def sign_in(client, username):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def enrol(client, username):
    """Sign in, scan, confirm: returns (device, recovery codes)."""
    sign_in(client, username)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user__username=username)
    response = client.post(SETUP, {"token": f"{code(device):06d}"})
    assert response.status_code == 200
    codes = re.findall(r"<li>(\w+)</li>", response.content.decode())
    device.refresh_from_db()
    return device, codes


def test_staff_must_enrol_before_any_page(world, client, enforced):
    response = sign_in(client, "center_a")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    page = client.get(SETUP)
    body = page.content.decode()
    assert '<svg role="img" class="qr-code"' in body  # drawn here, inline SVG
    assert "<script" not in body.split("<main", 1)[-1].split("</main>")[0]
    assert "style=" not in body
    assert page["Cache-Control"] == "no-store"
    # the API in that session is refused too
    api = client.get("/api/v1/centers/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"


@pytest.mark.parametrize("username", ["bureau", "center_a", "district_a"])
def test_enrolment_gives_recovery_codes_and_opens_the_portal(world, client, enforced, username):
    device, codes = enrol(client, username)
    assert device.confirmed
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user__username=username).count() == 10
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.OTHER, actor_name=username, message__contains="enrolled"
    ).exists()


def test_every_sign_in_asks_for_the_code_and_audits_it(world, client, enforced):
    device, _codes = enrol(client, "district_a")
    client.post(reverse("logout"))
    response = client.get(sign_in(client, "district_a")["Location"])
    assert response["Location"].startswith(VERIFY)

    wrong = client.post(VERIFY, {"token": "000000"})
    assert wrong.status_code == 200
    assert client.get(reverse("home")).status_code == 302
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED, actor_name="district_a", message__contains="second"
    ).exists()

    right = f"{code(device, steps_ahead=1):06d}"
    # after a failure the device waits (django-otp's throttling): even the right code fails
    assert client.post(VERIFY, {"token": right}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()

    ok = client.post(VERIFY, {"token": right, "next": "/exports/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/exports/"
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN, actor_name="district_a", message__contains="verified"
    ).exists()


def test_a_code_is_not_accepted_twice(world, client, enforced):
    device, _codes = enrol(client, "bureau")
    used = f"{code(device):06d}"  # the one that confirmed enrolment
    client.post(reverse("logout"))
    sign_in(client, "bureau")
    assert client.post(VERIFY, {"token": used}).status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_works_once(world, client, enforced):
    _device, codes = enrol(client, "center_a")
    client.post(reverse("logout"))
    sign_in(client, "center_a")
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    sign_in(client, "center_a")
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user__username="center_a").count() == 9


def test_no_open_redirect_after_verification(world, client, enforced):
    device, _codes = enrol(client, "bureau")
    client.post(reverse("logout"))
    sign_in(client, "bureau")
    token = f"{code(device, steps_ahead=1):06d}"
    response = client.post(VERIFY, {"token": token, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_teachers_may_enrol_but_need_not(world, client, enforced):
    response = sign_in(client, "teacher_a")
    assert client.get(response["Location"]).status_code == 200
    device, codes = enrol(client, "teacher_a")
    assert device.confirmed and codes
    client.post(reverse("logout"))
    response = client.get(sign_in(client, "teacher_a")["Location"])
    assert response["Location"].startswith(VERIFY)


def test_the_roles_that_must_enrol_are_a_setting(world, client, enforced):
    enforced.TWO_FACTOR_REQUIRED_ROLES = ["bureau"]
    response = sign_in(client, "center_a")
    assert client.get(response["Location"]).status_code == 200


def test_demo_and_development_sign_in_with_a_password(world, client, settings):
    settings.TWO_FACTOR_ENFORCED = False
    response = sign_in(client, "bureau")
    assert client.get(response["Location"]).status_code == 200


def test_renewing_recovery_codes_replaces_them(world, client, enforced):
    _device, codes = enrol(client, "bureau")
    response = client.post(SETUP, {"action": "new-codes"})
    fresh = re.findall(r"<li>(\w+)</li>", response.content.decode())
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert StaticToken.objects.filter(device__user__username="bureau").count() == 10


def test_production_warns_when_two_factor_is_off(settings):
    from core.twofactor import check_enforced

    settings.TWO_FACTOR_ENFORCED = False
    assert [w.id for w in check_enforced()] == ["core.W201"]
    settings.TWO_FACTOR_ENFORCED = True
    assert check_enforced() == []


def test_the_pages_are_in_chinese(world, client, enforced):
    from tests.core.test_chinese_pages import english_words

    sign_in(client, "district_a")
    setup = client.get(SETUP).content.decode()
    assert "身份验证器" in setup
    assert not english_words(setup)
    device, _codes = enrol(client, "district_a")
    client.post(reverse("logout"))
    sign_in(client, "district_a")
    page = client.get(VERIFY).content.decode()
    assert "恢复码" in page
    assert not english_words(page)
    assert "两步验证" in client.post(VERIFY, {"token": "1"}).content.decode()
