"""The statements every signed-in request runs, compiled once (core/statements.py):
the session, its user and the user's memberships read as the ORM reads them,
one query each, with each request's values; a new day compiles the memberships'
statement again."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import permissions
from core.backends import RoleBackend
from core.models import Membership, User
from core.roles import Role
from core.sessions import SessionStore
from core.statements import Prepared


@pytest.mark.django_db
def test_a_placeholder_must_be_one_parameter_of_the_statement():
    twice = Prepared(
        lambda _key, *, pk: User.objects.filter(pk=pk) | User.objects.filter(id=pk), ints=("pk",)
    )
    with pytest.raises(ImproperlyConfigured, match="pk appears 2 times"):
        twice.rows("default", pk=1)
    never = Prepared(lambda _key, *, pk: User.objects.filter(username="x"), ints=("pk",))
    with pytest.raises(ImproperlyConfigured, match="pk appears 0 times"):
        never.rows("default", pk=1)


def test_the_user_is_loaded_as_the_orm_loads_it(world):
    user = world.user("teacher_a")
    backend = RoleBackend()
    with CaptureQueriesContext(connection) as queries:
        loaded = backend.get_user(user.pk)
    assert len(queries) == 1
    orm = User.objects.get(pk=user.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(loaded, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert isinstance(loaded.date_joined, datetime.datetime) and loaded.is_active is True
    assert loaded._state.db == "default" and not loaded._state.adding
    assert backend.get_user(str(user.pk)).pk == user.pk  # as a session holds it
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None  # an inactive user is nobody
    assert backend.get_user(10**12) is None
    assert backend.get_user("not-an-id") is None


def test_a_signed_in_page_reads_its_session_user_and_memberships(world, login):
    client = login(world.user("teacher_a"))
    assert client.get("/credits/").status_code == 200
    key = client.session.session_key
    store = SessionStore(key)
    with CaptureQueriesContext(connection) as queries:
        data = store.load()
    assert len(queries) == 1
    assert int(data[SESSION_KEY]) == world.user("teacher_a").pk
    # Past its expiry the session is none, as in Django's own database sessions.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    assert client.get("/credits/").status_code == 302  # signed out
    assert SessionStore("no-such-key").load() == {}
    assert SessionStore(None).load() == {}


def test_the_scope_follows_the_day_a_membership_starts(world, monkeypatch):
    user = world.user("outsider")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    Membership.objects.create(
        user=user, role=Role.DISTRICT_STAFF, organisation_id=world.district_a.pk, starts_on=tomorrow
    )
    assert Role.DISTRICT_STAFF not in permissions.get_scope(User.objects.get(pk=user.pk)).roles
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    scope = permissions.get_scope(User.objects.get(pk=user.pk))
    assert scope.orgs[Role.DISTRICT_STAFF] == frozenset({world.district_a.pk})
