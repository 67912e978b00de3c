"""Log-in, lock-out (page and API token endpoint alike), password rules,
session timeouts, and district staff managing their systems' API tokens."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from core.models import ApiToken, AuditAction, AuditEntry, Membership
from core.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def fail_login(client, username, times=1):
    response = None
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong-Passw0rd"})
    return response


def expire_lockout():
    """Move every recorded failure 31 minutes into the past."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))


# --- Lock-out ----------------------------------------------------------------


def test_page_signs_in_with_the_right_password(world, client):
    response = client.post(LOGIN, {"username": "teacher_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_four_failures_do_not_lock(world, client):
    response = fail_login(client, "teacher_a", 4)
    assert response.status_code == 200
    assert "wrong" not in response.content.decode()  # the message is translated
    response = client.post(LOGIN, {"username": "teacher_a", "password": PASSWORD})
    assert response.status_code == 302


def test_five_failures_lock_the_page_for_thirty_minutes(world, client):
    response = fail_login(client, "teacher_a", 5)
    assert response.status_code == 429
    # Even the right password is refused while locked, with the Chinese page.
    response = client.post(LOGIN, {"username": "teacher_a", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "账户已锁定" in html and "30 分钟" in html
    assert int(response["Retry-After"]) == 30 * 60
    # Other accounts are not affected (lock the account, not the address).
    assert client.post(LOGIN, {"username": "school_a", "password": PASSWORD}).status_code == 302
    # After the cool-off the account opens again.
    expire_lockout()
    fresh = type(client)()
    assert fresh.post(LOGIN, {"username": "teacher_a", "password": PASSWORD}).status_code == 302


def test_token_endpoint_counts_failures_and_locks(world, client):
    for _ in range(4):
        response = client.post(TOKEN, {"username": "system_a", "password": "nope-Passw0rd"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"
    response = client.post(TOKEN, {"username": "system_a", "password": "nope-Passw0rd"})
    assert response.status_code == 429
    response = client.post(TOKEN, {"username": "system_a", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json() == {
        "error": {
            "status": 429,
            "code": "locked",
            "message": response.json()["error"]["message"],
        }
    }
    assert not ApiToken.objects.exists()
    expire_lockout()
    response = client.post(TOKEN, {"username": "system_a", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json()["token"].startswith("gz_")


def test_page_and_api_share_one_lockout(world, client):
    fail_login(client, "system_a", 3)
    for _ in range(2):
        client.post(TOKEN, {"username": "system_a", "password": "nope-Passw0rd"})
    response = client.post(TOKEN, {"username": "system_a", "password": PASSWORD})
    assert response.status_code == 429
    response = client.post(LOGIN, {"username": "system_a", "password": PASSWORD})
    assert response.status_code == 429


def test_token_endpoint_only_for_district_systems(world, client):
    response = client.post(TOKEN, {"username": "district_a", "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_district_system"
    response = client.post(TOKEN, {"username": "system_a"})
    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]


# --- Passwords ---------------------------------------------------------------


@pytest.mark.parametrize(
    "weak", ["password123", "12345678901", "short1!", "aaaaaaaaaaaa", "teacher_a-1", "qwertyuiop"]
)
def test_weak_and_common_passwords_are_refused(world, login, weak):
    user = world.user("teacher_a")
    client = login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_works(world, client):
    client.post(LOGIN, {"username": "teacher_a", "password": PASSWORD})
    new = "Guangzhou-Teach3r-2027"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert client.get(reverse("password_change_done")).status_code == 200
    client.post(reverse("logout"))
    assert client.post(LOGIN, {"username": "teacher_a", "password": new}).status_code == 302


def test_password_change_needs_the_old_password(world, login):
    client = login(world.user("teacher_a"))
    new = "Guangzhou-Teach3r-2027"
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it-1", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]


# --- Sessions ----------------------------------------------------------------


def _shift_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_session_survives_activity(world, login):
    client = login(world.user("teacher_a"))
    assert client.get("/").status_code == 200
    _shift_session(client, _last_seen_at=29 * 60, _started_at=11 * 3600)
    assert client.get("/").status_code == 200
    assert client.session["_last_seen_at"] >= int(time.time()) - 5


def test_recent_activity_does_not_rewrite_the_session(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.user("teacher_a"))
    client.get("/api/v1/me/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/me/").status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []


def test_session_ends_after_thirty_minutes_idle(world, login):
    client = login(world.user("teacher_a"))
    client.get("/")
    _shift_session(client, _last_seen_at=31 * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get("/").status_code == 302  # signed out for good


def test_session_ends_after_twelve_hours_in_all(world, login):
    client = login(world.user("teacher_a"))
    client.get("/")
    _shift_session(client, _last_seen_at=60, _started_at=12 * 3600 + 60)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_api_session_timeout_answers_401_or_403(world, login):
    client = login(world.user("teacher_a"))
    client.get("/api/v1/me/")
    _shift_session(client, _last_seen_at=31 * 60)
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert "error" in response.json()


# --- Token management page ----------------------------------------------------

TOKENS = "/accounts/tokens/"


def test_token_page_is_for_district_staff_and_bureau(world, login):
    for actor in ("teacher_a", "school_a", "center_a", "system_a", "outsider"):
        assert login(world.user(actor)).get(TOKENS).status_code == 403, actor
    assert login(world.user("district_a")).get(TOKENS).status_code == 200
    assert login(world.user("bureau")).get(TOKENS).status_code == 200


def test_district_staff_issue_see_once_and_revoke(world, login):
    client = login(world.user("district_a"))
    membership = Membership.objects.get(role=Role.DISTRICT_SYSTEM, user=world.user("system_a"))
    response = client.post(TOKENS, {"account": membership.pk, "name": "天河学籍系统", "days": 30})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = response.context["issued"]["key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get()
    assert token.membership == membership
    assert (token.expires_at - timezone.now()).days in (29, 30)
    # The key works on the API, and is never shown again.
    api = type(client)()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert key not in client.get(TOKENS).content.decode()
    # Revoke.
    response = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    actions = list(
        AuditEntry.objects.filter(object_type="core.apitoken").values_list("action", "actor_name")
    )
    assert sorted(actions) == [
        (AuditAction.CREATE, "district_a"),
        (AuditAction.DELETE, "district_a"),
    ]


def test_other_districts_tokens_are_out_of_reach(world, login, api_token):
    raw, token = api_token("system_a")
    client = login(world.user("district_b"))
    response = client.get(TOKENS)
    assert response.status_code == 200
    assert list(response.context["tokens"]) == []
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    membership = token.membership
    response = client.post(TOKENS, {"account": membership.pk, "name": "x", "days": 30})
    assert response.status_code == 200
    assert "account" in response.context["form"].errors
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_district_staff_see_their_systems_tokens_only(world, login, api_token):
    raw, token = api_token("system_a")
    response = login(world.user("district_a")).get(TOKENS)
    assert list(response.context["tokens"]) == [token]
    assert token.prefix in response.content.decode()


def test_bad_token_form_keeps_input_and_explains(world, login):
    client = login(world.user("district_a"))
    membership = Membership.objects.get(role=Role.DISTRICT_SYSTEM)
    response = client.post(TOKENS, {"account": membership.pk, "name": "keep me", "days": 0})
    assert response.status_code == 200
    assert "days" in response.context["form"].errors
    assert 'value="keep me"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_page_query_count_is_constant(world, login, api_token):
    from tests.contracts import assert_constant_queries

    client = login(world.user("district_a"))
    api_token("system_a")
    assert_constant_queries(client, TOKENS, lambda n: [api_token("system_a") for _ in range(n)])


# --- Lock-out by account and address; machine accounts ---------------------------


def test_a_stranger_elsewhere_cannot_lock_an_account_out(world):
    from django.test import Client

    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        response = stranger.post(LOGIN, {"username": "teacher_a", "password": "wrong-Passw0rd"})
    assert response.status_code == 429  # locked for the stranger's address
    teacher = Client(REMOTE_ADDR="10.20.30.40")
    response = teacher.post(LOGIN, {"username": "teacher_a", "password": PASSWORD})
    assert response.status_code == 302  # the teacher signs in from school


def test_a_forged_forwarded_for_does_not_dodge_the_lock(world, client):
    for n in range(5):
        response = client.post(
            LOGIN,
            {"username": "teacher_a", "password": "wrong-Passw0rd"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert response.status_code == 429


def test_a_district_system_cannot_sign_in_to_the_pages(world, client):
    response = client.post(LOGIN, {"username": "system_a", "password": PASSWORD})
    assert response.status_code == 200
    assert "区县系统账户" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/centers/import/").status_code == 302  # to the log-in page
    # The API token is its way in.
    assert client.post(TOKEN, {"username": "system_a", "password": PASSWORD}).status_code == 201
