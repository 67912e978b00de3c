"""Generic permission and query-count contracts. A model's page or API test
inherits one, names the URL of an object and three actors, and gets:
signed out → log-in (pages) or 401/403 (API); no right to the model → 403;
an object outside the actor's scope → 404; permitted → 200.

Every contract names its ``outside`` actor; leaving it out fails (it never
skips). A list page has no object to be outside of: it names an actor and,
in ``outside_url``, the detail of an object of the listed model outside that
actor's scope. Where nobody with the right has a narrower scope (the model's
scope is ALL for every role that has it, or the URL is a form or a page with
no object), ``outside = NOBODY_OUTSIDE`` says so, and the check then asks
every actor of the world: each one sees the URL (200) or has no right (403),
none gets a 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

#: ``outside`` for a URL every actor with the right reaches (see above).
NOBODY_OUTSIDE = "nobody outside: every actor with the right reaches it"


class PageContract:
    permitted = "bureau"
    outside: str | None = None  # each contract names one (or NOBODY_OUTSIDE)
    forbidden: str | None = "outsider"

    def url(self, world) -> str:
        raise NotImplementedError

    def outside_url(self, world) -> str:
        """The URL ``outside`` gets 404 on: by default the contract's own."""
        return self.url(world)

    def test_signed_out_goes_to_login(self, world, client):
        response = client.get(self.url(world))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_permitted_sees_it(self, world, login):
        response = login(world.user(self.permitted)).get(self.url(world))
        assert response.status_code == 200

    def test_outside_scope_is_404(self, world, login):
        if self.outside is None:
            pytest.fail(
                f"{type(self).__name__} names no outside actor: name one with the right "
                "but another scope, or NOBODY_OUTSIDE (tests/contracts.py)"
            )
        if self.outside == NOBODY_OUTSIDE:
            url = self.url(world)
            answers = {
                name: login(user).get(url).status_code for name, user in world.actors.items()
            }
            assert answers[self.permitted] == 200, answers
            assert set(answers.values()) <= {200, 403}, answers
            return
        response = login(world.user(self.outside)).get(self.outside_url(world))
        assert response.status_code == 404

    def test_without_right_is_403(self, world, login):
        if self.forbidden is None:
            pytest.skip("every actor has some right here")
        response = login(world.user(self.forbidden)).get(self.url(world))
        assert response.status_code == 403


class ApiContract(PageContract):
    def test_signed_out_goes_to_login(self, world, client):
        response = client.get(self.url(world))
        assert response.status_code in (401, 403)
        assert "error" in response.json()

    def test_without_right_is_403(self, world, login):
        super().test_without_right_is_403(world, login)

    def test_outside_scope_is_404(self, world, login):
        super().test_outside_scope_is_404(world, login)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def assert_constant_queries(client, url, add_rows, *, more=5):
    """The page or API list makes as many queries with ``more`` extra rows
    (``add_rows(more)``) as without."""
    count_queries(client, url)  # warm caches (content types, sessions)
    before = count_queries(client, url)
    add_rows(more)
    after = count_queries(client, url)
    assert after == before, f"{url}: {before} queries, then {after} with {more} more rows"
    return before
