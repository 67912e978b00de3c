"""The read replica's router (core/replica.py) with two database aliases: the
test ``replica`` is a TEST MIRROR of ``default`` (tests/conftest.py), a second
connection to the same test database, so which connection a query used shows
where the router sent it. The router is installed here only, as
DATABASE_REPLICA_URL installs it in production."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from core.exports import run_export
from core.models import ExportJob, ExportStatus, User
from core.replica import PRIMARY, REPLICA, ReplicaRouter, reading_from_replica, replica_reads

ROUTER = ["core.replica.ReplicaRouter"]


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ROUTER  # the setting_changed signal resets django.db.router


def where(run):
    """Run ``run()``; the SQL each connection executed meanwhile."""
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        run()
    return [q["sql"] for q in primary], [q["sql"] for q in replica]


def test_the_router_reads_from_the_replica_only_inside_the_block_until_a_write():
    router = ReplicaRouter()
    assert router.db_for_read(User) == PRIMARY  # outside: the primary
    with replica_reads():
        assert router.db_for_read(User) == REPLICA
        assert router.db_for_write(User) == PRIMARY  # writes: always the primary
        assert router.db_for_read(User) == PRIMARY  # ... and reads after one too
    with replica_reads(pin=False):  # an export: its progress writes pin nothing
        router.db_for_write(ExportJob)
        assert router.db_for_read(User) == REPLICA
    assert router.allow_migrate(PRIMARY, "core") and not router.allow_migrate(REPLICA, "core")


pytestmark_two = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])


@pytestmark_two
def test_orm_reads_go_to_the_replica_and_read_their_own_writes_from_the_primary(world, routed):
    bureau = world.user("bureau")

    def block():
        with replica_reads():
            assert User.objects.filter(pk=bureau.pk).exists()  # replica
            User.objects.filter(pk=bureau.pk).update(name="市教育局（改）")  # primary
            assert User.objects.get(pk=bureau.pk).name == "市教育局（改）"  # primary

    primary, replica = where(block)
    assert len(replica) == 1 and "core_user" in replica[0]
    assert [q.split()[0] for q in primary] == ["UPDATE", "SELECT"]

    # Inside a transaction on the primary, every read is the primary's.
    def atomic():
        with replica_reads(), transaction.atomic():
            assert not reading_from_replica()
            User.objects.count()

    primary, replica = where(atomic)
    assert replica == [] and any("COUNT" in q for q in primary)


@pytestmark_two
def test_a_dashboard_reads_from_the_replica_on_get_and_not_on_post(world, routed, login):
    client = login(world.user("bureau"))
    primary, replica = where(lambda: client.get("/dashboards/bureau/"))
    assert replica, "the dashboard's figures were read from the primary"
    # The session, the user and the middleware read the primary before the view.
    assert any("django_session" in q for q in primary)
    assert not any("django_session" in q for q in replica)

    primary, replica = where(lambda: client.post("/dashboards/bureau/"))
    assert replica == [] and primary


@pytestmark_two
def test_an_export_reads_its_rows_from_the_replica(world, routed):
    job = ExportJob.objects.create(
        owner=world.user("district_a"), exporter="centers", options={}, language="zh-hans"
    )
    primary, replica = where(lambda: run_export(job))
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows_written == 3
    assert any('"centers_center"' in q for q in replica)
    assert not any('FROM "centers_center"' in q for q in primary)
    # Its own job row is written on the primary.
    assert any(q.startswith("UPDATE") and "core_exportjob" in q for q in primary)
    assert not any(q.startswith(("UPDATE", "INSERT", "DELETE")) for q in replica)
