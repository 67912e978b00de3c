"""Workers that fail safely: a real Celery worker on Redis, killed with
SIGKILL in the middle of an export, leaves no job stuck in "running" and no
second file. Killing the pool process (what the kernel's OOM killer does) has
the task redelivered at once (late acks, reject on worker lost) and finished
once; killing the whole worker leaves the job to the beat's sweep, which
queues it again. Needs PostgreSQL (the advisory lock that tells a dead run
from a live one) and Redis: skipped locally without them, failing in CI."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from core import exports, tasks
from core.models import ExportJob, ExportStatus
from tests.conftest import require

from . import slow_export

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def database_url():
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """``celery -A config worker`` in a process group of its own, on a queue of
    its own (other tests' workers share the broker), on the test database."""

    def __init__(self, tmp_path, settings, pool):
        self.queue = f"test-kill-{os.getpid()}-{time.monotonic_ns()}"
        self.log = tmp_path / f"worker-{pool}-{time.monotonic_ns()}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PORTAL_TEST_EXPORT_GATE": str(tmp_path / "gate"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        env.pop("TEST_DATABASE_NAME", None)
        self.argv = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "-I", "tests.core.slow_export", "-Q", self.queue, "--pool", pool,
            "--concurrency", "1", "-n", f"{self.queue}@%h",
            "--without-gossip", "--without-mingle", "--loglevel", "INFO",
        ]  # fmt: skip
        self.env = env

    def start(self, queue=None):
        self.queue = queue or self.queue
        self.argv[self.argv.index("-Q") + 1] = self.queue
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        return self

    def pool_children(self):
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def kill_all(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def send(self, job):
        tasks.run_export_job.apply_async((job.pk,), queue=self.queue)

    def logs(self):
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def worker(tmp_path, settings, redis_services, postgres):
    require(sys.platform.startswith("linux"), "Linux (ps --ppid)")
    started = []

    def _start(pool, queue=None):
        w = Worker(tmp_path, settings, pool).start(queue)
        started.append(w)
        return w

    yield _start
    for w in started:
        w.kill_all()


@pytest.fixture
def gate(tmp_path):
    path = tmp_path / "gate"
    path.touch()
    return path


def wait_for(job, condition, worker, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return job
        time.sleep(0.2)
    pytest.fail(f"job {job.pk}: {job.status} {job.rows_written} rows\n{worker.logs()}")


def export_files(settings):
    root = Path(settings.MEDIA_ROOT) / "exports"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_finished_once(job, settings):
    assert job.status == ExportStatus.DONE, (job.status, job.error)
    assert job.attempts == 2
    assert job.rows_written == slow_export.ROWS
    (file,) = export_files(settings)  # no second file
    assert file == Path(job.file.path)
    sheet = load_workbook(file, read_only=True).worksheets[0]
    rows = [r[0] for r in sheet.iter_rows(values_only=True)]
    assert rows == ["n", *range(slow_export.ROWS)]
    assert not exports._temp_path(job).exists()


def new_job(world):
    return ExportJob.objects.create(owner=world.user("bureau"), exporter="test-slow")


def worker_figures(client, settings):
    from tests.core.test_observability import TOKEN, sample

    settings.METRICS_TOKEN = TOKEN
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    name = "portal_worker_task_duration_seconds_count"
    return sample(text, name, task="core.tasks.run_export_job", state="SUCCESS")


def test_killing_the_pool_process_mid_export_redelivers_and_finishes_once(
    world, worker, gate, settings, client
):
    runs_before = worker_figures(client, settings)
    w = worker("prefork")
    job = new_job(world)
    w.send(job)
    wait_for(job, lambda j: j.status == ExportStatus.RUNNING and j.rows_written >= 500, w)
    (child,) = w.pool_children()
    # A live worker holds the job: the sweep leaves it alone, however late.
    later = timezone.now() + timedelta(minutes=settings.EXPORT_STALL_MINUTES + 1)
    assert exports.sweep_stalled(now=later) == {"requeued": 0, "failed": 0}
    os.kill(child, signal.SIGKILL)
    gate.unlink()
    job = wait_for(job, lambda j: j.is_finished, w)
    assert_finished_once(job, settings)
    assert "WorkerLostError" in w.logs() or "SIGKILL" in w.logs()
    # The worker's own figures reach the web app's /metrics (through Redis): the
    # finished run counts once (the killed one never ended); its end is published
    # just after the job row, so wait a moment for it.
    deadline = time.monotonic() + 10
    while worker_figures(client, settings) == runs_before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert worker_figures(client, settings) == runs_before + 1


def test_killing_the_whole_worker_leaves_the_job_to_the_sweep(
    world, worker, gate, settings, monkeypatch
):
    first = worker("solo")
    job = new_job(world)
    first.send(job)
    wait_for(job, lambda j: j.status == ExportStatus.RUNNING and j.rows_written >= 500, first)
    first.kill_all()  # the message stays unacknowledged in Redis, the job "running"
    gate.unlink()
    assert exports.sweep_stalled() == {"requeued": 0, "failed": 0}  # not silent long enough
    # The sweep queues the job again; here on the next worker's own queue.
    second = worker("solo")
    monkeypatch.setattr(tasks.run_export_job, "delay", lambda pk: second.send(ExportJob(pk=pk)))
    later = timezone.now() + timedelta(minutes=settings.EXPORT_STALL_MINUTES + 1)
    deadline = time.monotonic() + 10  # the server frees the dead worker's lock at once
    while (swept := exports.sweep_stalled(now=later))["requeued"] == 0:
        assert time.monotonic() < deadline, swept
        time.sleep(0.2)
    job = wait_for(job, lambda j: j.is_finished, second)
    assert_finished_once(job, settings)
    # The first delivery, if Redis ever hands it out again, changes nothing.
    name, finished = job.file.name, job.finished_at
    exports.run_export(job)
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, job.attempts) == (name, finished, 2)
