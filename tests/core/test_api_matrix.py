"""Walks every registered API list route for every actor: 200 exactly when
the actor's roles give the right to view the route's model, 403 otherwise,
401/403 signed out, and never a server error."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.permissions import can
from tests.conftest import ACTOR_NAMES

pytestmark = pytest.mark.django_db


def _api_list_routes():
    routes = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                view = p.callback
                cls = getattr(view, "cls", None)
                actions = getattr(view, "actions", None) or {}
                if (
                    prefix.startswith("api/v1/")
                    and cls is not None
                    and actions.get("get") == "list"
                ):
                    routes.append(
                        (
                            "/"
                            + prefix
                            + str(p.pattern).replace("^", "").replace("$", "").replace("\\Z", ""),
                            cls,
                        )
                    )

    walk(get_resolver().url_patterns)
    return routes


ROUTES = _api_list_routes()


def test_routes_were_found():
    assert len(ROUTES) >= 4


@pytest.mark.parametrize("path,cls", ROUTES, ids=[r[0] for r in ROUTES])
def test_every_actor_on_every_list_route(world, login, client, path, cls):
    response = client.get(path)
    assert response.status_code in (401, 403), path
    model = cls.queryset.model
    for actor in ACTOR_NAMES:
        user = world.user(actor)
        response = login(user).get(path)
        expected = 200 if can(user, "view", model) else 403
        assert response.status_code == expected, (path, actor, response.status_code)
        if expected == 403:
            assert response.json()["error"]["code"] == "permission_denied"
