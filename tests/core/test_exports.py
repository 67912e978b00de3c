"""Exports end to end: the page flow, the API flow (202 → poll), failures,
expiry, and one run through a real Celery worker and Redis broker."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from openpyxl import load_workbook

from centers.models import Center
from core.exports import Exporter, registry, run_export
from core.models import ExportJob, ExportStatus
from core.tasks import delete_expired_exports, run_export_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """POST that starts an export; the job is queued on commit, so run the
    commit callbacks as the request ends (tests run inside a transaction)."""

    def _start(client, url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return _start


def _header(language="zh-hans"):
    from centers.exporters import CenterListExporter

    with translation.override(language):
        return [str(h) for h in CenterListExporter(None).headers()]


HEADER = _header()


def rows_of(content: bytes):
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def download(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def test_page_flow(world, login, start):
    client = login(world.user("district_a"))
    assert client.get("/exports/new/centers/").status_code == 200
    response = start(client, "/exports/new/centers/")
    assert response.status_code == 302 and response["Location"] == "/exports/"
    page = client.get("/exports/")
    (job,) = page.context["jobs"]
    assert job.status == ExportStatus.DONE and job.owner == world.user("district_a")
    assert job.expires_at > timezone.now()
    html = page.content.decode()
    assert f"/exports/{job.pk}/download/" in html
    rows = rows_of(download(client.get(f"/exports/{job.pk}/download/")))
    assert rows[0] == HEADER
    names = sorted(r[0] for r in rows[1:])
    assert names == sorted(Center.objects.values_list("name", flat=True))
    assert job.rows_written == len(rows) - 1 == 3
    status = client.get(f"/exports/{job.pk}/status/").json()
    assert status["status"] == "done" and status["progress"] == 100


def test_exports_are_their_owners_only(world, login):
    login(world.user("district_a")).post("/exports/new/centers/")
    job = ExportJob.objects.get()
    other = login(world.user("bureau"))
    assert other.get(f"/exports/{job.pk}/download/").status_code == 404
    assert other.get(f"/exports/{job.pk}/status/").status_code == 404
    assert list(other.get("/exports/").context["jobs"]) == []


def test_rows_follow_the_users_scope(world, login, start):
    """An export shows what the user's pages show: a restricted exporter."""

    @registry.register
    class SchoolNames(Exporter):
        identifier = "test-school-names"
        name = "学校"
        permission = "centers.view_school"

        def headers(self):
            return ["学校"]

        def rows(self):
            from centers.models import School

            for school in School.objects.restrict(self.user).order_by("name"):
                yield [school.name]

    try:
        client = login(world.user("district_a"))
        start(client, "/exports/new/test-school-names/")
        job = ExportJob.objects.get()
        rows = rows_of(download(client.get(f"/exports/{job.pk}/download/")))
        assert rows == [["学校"], ["天河实验小学"], ["天河第一小学"]]
        # A role without the right may not start it.
        assert (
            login(world.user("vendor")).post("/exports/new/test-school-names/").status_code == 403
        )
    finally:
        registry._exporters.pop("test-school-names")


def test_no_role_cannot_export(world, login):
    assert login(world.user("outsider")).post("/exports/new/centers/").status_code == 403
    assert login(world.user("outsider")).get("/exports/new/nothing/").status_code == 404
    assert not ExportJob.objects.exists()


def test_api_flow(world, login, start):
    client = login(world.user("district_a"))
    exporters = client.get("/api/v1/exports/").json()
    assert "centers" in [e["identifier"] for e in exporters]
    response = start(client, "/api/v1/exports/centers/")
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/exports/jobs/{body['id']}/")
    job = ExportJob.objects.get(pk=body["id"])
    rows = rows_of(download(client.get(response["Location"])))
    assert rows[0] == HEADER and len(rows) == 4
    # The file is in the language the export was started in.
    response = start(client, "/api/v1/exports/centers/", HTTP_ACCEPT_LANGUAGE="en")
    assert rows_of(download(client.get(response["Location"])))[0] == _header("en")
    ExportJob.objects.exclude(pk=job.pk).delete()
    listed = client.get("/api/v1/exports/jobs/").json()
    assert [j["id"] for j in listed["results"]] == [job.pk]


def test_api_poll_answers_409_while_pending_and_410_when_failed(world, login):
    client = login(world.user("district_a"))
    job = ExportJob.objects.create(owner=world.user("district_a"), exporter="centers")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40)
    response = client.get(f"/api/v1/exports/jobs/{job.pk}/")
    assert response.status_code == 409
    assert response.json()["progress"] == 40 and response.json()["status"] == "running"
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error="boom")
    response = client.get(f"/api/v1/exports/jobs/{job.pk}/")
    assert response.status_code == 410 and response.json()["error"] == "boom"


def test_api_other_users_job_is_404(world, login):
    job = ExportJob.objects.create(owner=world.user("bureau"), exporter="centers")
    response = login(world.user("district_a")).get(f"/api/v1/exports/jobs/{job.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_unknown_export_and_no_right(world, login):
    response = login(world.user("district_a")).post("/api/v1/exports/nope/")
    assert response.status_code == 404
    response = login(world.user("outsider")).post("/api/v1/exports/centers/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_failing_exporter_records_the_error(world):
    @registry.register
    class Broken(Exporter):
        identifier = "test-broken"
        name = "坏的"

        def headers(self):
            return ["a"]

        def rows(self):
            yield [1]
            raise ValueError("the source table is gone")

    try:
        job = ExportJob.objects.create(owner=world.user("bureau"), exporter="test-broken")
        run_export_job(job.pk)
        job.refresh_from_db()
        assert job.status == ExportStatus.FAILED
        assert "the source table is gone" in job.error
        assert not job.file and job.finished_at is not None
        # Running the task again leaves it as it is.
        run_export_job(job.pk)
        job.refresh_from_db()
        assert job.status == ExportStatus.FAILED
    finally:
        registry._exporters.pop("test-broken")


def test_running_a_finished_job_again_changes_nothing(world):
    job = ExportJob.objects.create(owner=world.user("bureau"), exporter="centers")
    run_export(job)
    job.refresh_from_db()
    name, finished = job.file.name, job.finished_at
    run_export_job(job.pk)
    job.refresh_from_db()
    assert (job.file.name, job.finished_at) == (name, finished)


def test_delete_expired_exports(world, settings):
    owner = world.user("bureau")
    now = timezone.now()
    expired = ExportJob.objects.create(owner=owner, exporter="centers", status="done")
    expired.file.save("old.xlsx", ContentFile(b"old"))
    ExportJob.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(minutes=1))
    fresh = ExportJob.objects.create(owner=owner, exporter="centers", status="done")
    fresh.file.save("new.xlsx", ContentFile(b"new"))
    ExportJob.objects.filter(pk=fresh.pk).update(expires_at=now + timedelta(hours=1))
    pending = ExportJob.objects.create(owner=owner, exporter="centers")
    old_path = expired.file.path
    assert delete_expired_exports.delay().get() == 1
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {fresh.pk, pending.pk}
    import os

    assert not os.path.exists(old_path)
    assert os.path.exists(fresh.file.path)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_export_through_a_real_worker_and_broker(redis_services, world, login):
    """A real Celery worker thread takes the job from the Redis broker."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from config.celery import app

    assert not app.conf.task_always_eager
    assert app.conf.broker_url.startswith("redis://")
    app.autodiscover_tasks(force=True)

    def close_worker_connections(**kwargs):
        # The worker thread's own database connection: closed after its task,
        # so the test database can be dropped at the end of the run.
        connections.close_all()

    client = login(world.user("district_a"))
    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"
        ):
            response = client.post("/api/v1/exports/centers/")
            assert response.status_code == 202
            job = ExportJob.objects.get(pk=response.json()["id"])
            deadline = time.monotonic() + 60
            while not job.is_finished and time.monotonic() < deadline:
                time.sleep(0.2)
                job.refresh_from_db()
    finally:
        task_postrun.disconnect(close_worker_connections)
    assert job.status == ExportStatus.DONE, (job.status, job.error)
    rows = rows_of(download(client.get(f"/api/v1/exports/jobs/{job.pk}/")))
    assert rows[0] == HEADER and len(rows) == 4


def test_boolean_cells_follow_the_export_language():
    from django.utils import translation

    from core.exports import yes_no

    with translation.override("zh-hans"):
        assert (yes_no(True), yes_no(False)) == ("是", "否")
    with translation.override("en"):
        assert (yes_no(True), yes_no(False)) == ("Yes", "No")


def _stalled_job(world, attempts, **fields):
    job = ExportJob.objects.create(owner=world.user("district_a"), exporter="centers", **fields)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING,
        attempts=attempts,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    return job


def test_the_sweep_runs_again_an_export_whose_worker_died(world, settings):
    from core.exports import sweep_stalled

    job = _stalled_job(world, attempts=1)
    # A killed run saved its file but died before recording it.
    from django.core.files.storage import default_storage

    from core.models import export_upload_to

    leftover = default_storage.save(export_upload_to(job, "centers-old.xlsx"), ContentFile(b"x"))
    assert sweep_stalled() == {"requeued": 1, "failed": 0}  # tasks run in-process here
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_written) == (ExportStatus.DONE, 2, 3)
    assert not default_storage.exists(leftover)
    folder = os.path.dirname(job.file.path)
    assert os.listdir(folder) == [os.path.basename(job.file.path)]


def test_an_export_whose_worker_died_three_times_fails_with_a_message(world):
    from core.exports import MAX_ATTEMPTS, sweep_stalled

    job = _stalled_job(world, attempts=MAX_ATTEMPTS, language="zh-hans")
    fresh = _stalled_job(world, attempts=1)
    ExportJob.objects.filter(pk=fresh.pk).update(heartbeat_at=timezone.now())
    assert sweep_stalled() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.finished_at
    assert job.error.startswith(f"导出在完成前中断了 {MAX_ATTEMPTS} 次")
    fresh.refresh_from_db()
    assert fresh.status == ExportStatus.RUNNING  # still reporting progress: left alone
    # A redelivered task of a job that died too often fails it, too.
    again = _stalled_job(world, attempts=MAX_ATTEMPTS, language="en")
    run_export_job(again.pk)
    again.refresh_from_db()
    assert again.status == ExportStatus.FAILED
    assert again.error.startswith(f"The export stopped {MAX_ATTEMPTS} times")
    assert not again.file


def test_a_database_hiccup_retries_without_counting_a_dead_worker(world, monkeypatch):
    from django.db import OperationalError

    from core import exports

    job = ExportJob.objects.create(owner=world.user("district_a"), exporter="centers")

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(exports, "_write_workbook", broken)
    with pytest.raises(OperationalError):
        run_export(job)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportStatus.PENDING, 0)


def test_the_job_run_export_returns_is_the_row_as_written(world):
    """No read back at the end: the returned job holds what the row holds, and
    the owner is read with the job under the lock (one statement, not two)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job = ExportJob.objects.create(owner=world.user("bureau"), exporter="centers")
    job = ExportJob.objects.get(pk=job.pk)  # as the task reads it: no owner cached
    with CaptureQueriesContext(connection) as queries:
        done = run_export(job)
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if 'FROM "core_user"' in sql]  # joined to the job
    assert len([sql for sql in reads if 'FROM "core_exportjob"' in sql]) == 1
    stored = ExportJob.objects.get(pk=job.pk)
    fields = [f.attname for f in ExportJob._meta.concrete_fields]
    assert {f: getattr(done, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert done.status == ExportStatus.DONE and done.attempts == 1 and done.progress == 100


def test_the_stored_file_is_the_written_one_moved_not_copied(world, monkeypatch):
    """The file-system storage takes the worker's workbook by a rename: its bytes
    are not read and written a second time, and no temporary file is left."""
    from core import exports

    def no_copy(self, chunk_size=None):
        raise AssertionError("the workbook was copied into the storage")

    monkeypatch.setattr(exports.WrittenFile, "chunks", no_copy)
    job = run_export(ExportJob.objects.create(owner=world.user("bureau"), exporter="centers"))
    assert job.status == ExportStatus.DONE, job.error
    assert rows_of(job.file.read())[0] == HEADER
    assert not exports._temp_path(job).exists()


@pytest.mark.django_db(transaction=True)
def test_progress_marks_commit_unflushed_and_the_last_mark_flushed(world):
    """On PostgreSQL the job row's marks (started, progress, done) commit without
    waiting for the WAL flush (``SET LOCAL``: that transaction alone); the
    session, and any caller's own transaction, keep the server's setting."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from core import exports

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    server = setting()
    job = ExportJob.objects.create(owner=world.user("bureau"), exporter="centers")
    with CaptureQueriesContext(connection) as queries:
        assert run_export(job).status == ExportStatus.DONE
    sqls = [q["sql"] for q in queries]
    marks = [i for i, sql in enumerate(sqls) if sql.startswith('UPDATE "core_exportjob"')]
    assert len(marks) == 2  # started, done (a small export: no progress mark)
    for i in marks:
        assert sqls[i - 1] == "SET LOCAL synchronous_commit TO OFF" and sqls[i + 1] == "COMMIT"
    assert "'done'" in sqls[marks[-1]]
    assert setting() == server
    with transaction.atomic(), CaptureQueriesContext(connection) as inside, exports._unflushed():
        pass
    assert not inside.captured_queries


def test_rows_read_in_batches_are_all_written_in_order_with_progress(world, monkeypatch):
    """The runner reads a batch of rows, then writes it (``READ_AHEAD``): every
    row is written once, in order, and the job row's progress still moves every
    ``PROGRESS_EVERY`` rows across the batches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import exports

    from .slow_export import ROWS, SlowExporter  # no gate: straight through

    monkeypatch.setattr(exports, "READ_AHEAD", 300)
    monkeypatch.setattr(exports, "WIDTH_SAMPLE", 7)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 500)
    monkeypatch.delenv("PORTAL_TEST_EXPORT_GATE", raising=False)
    registry.register(SlowExporter)
    try:
        job = ExportJob.objects.create(owner=world.user("bureau"), exporter="test-slow")
        with CaptureQueriesContext(connection) as queries:
            job = run_export(job)
        assert job.status == ExportStatus.DONE and job.rows_written == ROWS
        assert [r[0] for r in rows_of(job.file.read())[1:]] == list(range(ROWS))
        marks = [q["sql"] for q in queries if '"rows_written" = ' in q["sql"]]
        written = [m.split('"rows_written" = ')[1].split(",")[0] for m in marks]
        # started, a mark every 500 rows (the last row's is one), done
        assert written == ["0", "500", "1000", "1500", "2000", "2000"]
    finally:
        registry._exporters.pop("test-slow")


def test_a_slow_exporter_reports_progress_before_its_next_batch(world, monkeypatch):
    """Rows read in batches still mark progress every ``PROGRESS_EVERY`` rows: an
    exporter slowed at row 600 (the killed-worker tests' gate) finds 500 rows
    already recorded on its job row."""
    from core import exports

    seen = {}

    @registry.register
    class Gated(Exporter):
        identifier = "test-gated"
        name = "慢"

        def headers(self):
            return ["n"]

        def rows(self):
            for n in range(1000):
                if n == 600:
                    seen["rows_written"] = ExportJob.objects.get(pk=job.pk).rows_written
                yield [n]

    try:
        job = ExportJob.objects.create(owner=world.user("bureau"), exporter="test-gated")
        assert run_export(job).rows_written == 1000
        assert seen["rows_written"] >= exports.PROGRESS_EVERY == 500
    finally:
        registry._exporters.pop("test-gated")
