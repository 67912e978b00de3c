"""Rate limits (core.ratelimit): the log-in, the token endpoint, the public
transcript check and the API answer 429 with Retry-After past their rate."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    settings.RATE_LIMITS = {
        "login": "3/h",
        "token": "3/h",
        "verify": "3/h",
        "api_user": "3/h",
        "api_anon": "3/h",
    }


def _fourth(send):
    answers = [send() for _ in range(4)]
    assert all(a.status_code != 429 for a in answers[:3])
    return answers[3]


def test_the_public_verify_page_is_limited_by_address(rates, client):
    response = _fourth(lambda: client.get("/credits/verify/", {"code": "NOPE-0000"}))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "请求过于频繁" in response.content.decode()
    # Another address is not affected.
    other = type(client)(REMOTE_ADDR="192.0.2.77")
    assert other.get("/credits/verify/").status_code == 200


def test_log_in_attempts_are_limited_by_address(rates, world, client):
    response = _fourth(
        lambda: client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    )
    assert response.status_code == 429 and response["Retry-After"]
    assert client.get("/accounts/login/").status_code == 200  # the page itself still shows


def test_the_token_endpoint_is_limited_by_address(rates, world, client):
    data = {"username": "nobody", "password": "wrong-Passw0rd"}
    response = _fourth(lambda: client.post("/api/v1/auth/token/", data))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert response["Retry-After"]


def test_the_api_is_limited_by_user(rates, world, login):
    client = login(world.user("district_a"))
    response = _fourth(lambda: client.get("/api/v1/schools/"))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # Another user has their own count.
    assert login(world.user("district_b")).get("/api/v1/schools/").status_code == 200


def test_a_real_user_is_far_below_the_default_rates(world, client):
    assert (
        client.post("/accounts/login/", {"username": "teacher_a", "password": PASSWORD}).status_code
        == 302
    )
