"""Figures to watch: /metrics behind METRICS_TOKEN with request latency by
view, error counts, task durations, queue lengths, export and sync sizes; a
request id carried into tasks; JSON logs without ID numbers."""

import json
import re

import pytest

from core import observability
from core.exports import start_export
from core.models import ExportJob

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-0123456789"


def scrape(client, token=TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def sample(text, name, **labels):
    """The sum of the samples of ``name`` with these labels (whatever their
    other labels) in the exposition text; 0 when there are none. Other tests
    in the same process add samples of their own."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}", 1)[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_are_not_public_by_default(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert scrape(client).status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert scrape(client, "wrong").status_code == 404
    assert scrape(client).status_code == 200


def test_metrics_show_the_figures_to_watch(
    client, settings, world, login, django_capture_on_commit_callbacks
):
    settings.METRICS_TOKEN = TOKEN
    before = scrape(client).content.decode()
    user = login(world.user("district_a"))
    assert user.get("/centers/").status_code == 200
    assert user.get("/centers/999999/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        job = start_export(user=world.user("district_a"), identifier="centers")
    job.refresh_from_db()
    assert job.status == "done"
    text = scrape(client).content.decode()

    # Request latency by view, and answers by status (the errors).
    by_view = "django_http_requests_latency_seconds_by_view_method_count"
    assert sample(text, by_view, view="centers:center-list", method="GET") > sample(
        before, by_view, view="centers:center-list", method="GET"
    )
    responses = "django_http_responses_total_by_status_view_method_total"
    assert sample(text, responses, status="404") >= 1
    # Task durations and export sizes.
    tasks = "portal_task_duration_seconds_count"
    assert sample(text, tasks, task="core.tasks.run_export_job", state="SUCCESS") > sample(
        before, tasks, task="core.tasks.run_export_job", state="SUCCESS"
    )
    assert sample(text, "portal_export_rows_count", exporter="centers") > sample(
        before, "portal_export_rows_count", exporter="centers"
    )
    assert "# TYPE portal_task_queue_length gauge" in text
    assert "# TYPE portal_sync_batch_rows histogram" in text


def test_a_sync_batch_is_counted_by_size(client, settings, world, api_token):
    settings.METRICS_TOKEN = TOKEN
    before = sample(scrape(client).content.decode(), "portal_sync_batch_rows_sum", kind="credits")
    token, _ = api_token("system_a")
    client.post(
        "/api/v1/credits/entries/batch/",
        data=json.dumps({"entries": [{"teacher": "x"}, {"teacher": "y"}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_IDEMPOTENCY_KEY="metrics-test-1",
    )
    after = sample(scrape(client).content.decode(), "portal_sync_batch_rows_sum", kind="credits")
    assert after == before + 2


@pytest.mark.services
def test_queue_length_is_read_from_the_broker(client, settings, redis_services):
    import redis

    from config.celery import app

    settings.METRICS_TOKEN = TOKEN
    queue = app.conf.task_default_queue
    r = redis.Redis.from_url(settings.REDIS_URL)
    length = r.llen(queue)
    text = scrape(client).content.decode()
    assert sample(text, "portal_task_queue_length", queue=queue) == length


@pytest.mark.services
def test_a_workers_figures_reach_metrics_through_redis(client, settings, redis_services):
    """What a worker observes is published to Redis and read back by the web
    app's /metrics as portal_worker_* (a real worker: test_worker_kill.py)."""
    import uuid

    settings.METRICS_TOKEN = TOKEN
    label = f"test-{uuid.uuid4().hex[:8]}"
    figures = observability.worker_figures
    figures.enable(settings.REDIS_URL, f"celery@{label}")
    try:
        observability.observe(
            observability.EXPORT_ROWS, "portal_worker_export_rows", (label,), 1_234
        )
        observability.count(
            observability.EXPORT_FAILURES, "portal_worker_export_failures", (label,)
        )
    finally:
        figures.enable("", "")
    text = scrape(client).content.decode()
    assert sample(text, "portal_worker_export_rows_count", exporter=label) == 1
    assert sample(text, "portal_worker_export_rows_sum", exporter=label) == 1_234
    assert sample(text, "portal_worker_export_rows_bucket", exporter=label, le="1000.0") == 0
    assert sample(text, "portal_worker_export_rows_bucket", exporter=label, le="10000.0") == 1
    assert sample(text, "portal_worker_export_failures_total", exporter=label) == 1
    assert sample(text, "portal_worker_last_task_end_timestamp_seconds", worker=f"celery@{label}")
    # the process's own figures still count it; with figures off nothing is published
    observability.observe(observability.EXPORT_ROWS, "portal_worker_export_rows", (label,), 5)
    text = scrape(client).content.decode()
    assert sample(text, "portal_worker_export_rows_count", exporter=label) == 1
    assert sample(text, "portal_export_rows_count", exporter=label) == 2


def test_every_answer_has_a_request_id_and_adopts_the_proxys(client):
    response = client.get("/healthz/")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    response = client.get("/healthz/", HTTP_X_REQUEST_ID="edge-42.a")
    assert response["X-Request-ID"] == "edge-42.a"
    response = client.get("/healthz/", HTTP_X_REQUEST_ID="bad id\nwith lines")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_request_id_goes_with_the_tasks_a_request_queues(world, login, monkeypatch):
    """The id rides in the task message's headers (before_task_publish) and
    is set again while a worker runs the task (task_prerun)."""
    headers = {}
    observability._before_publish(headers=headers)
    assert headers == {}  # no request, no id
    token = observability.set_request_id("req-7")
    try:
        observability._before_publish(headers=headers)
    finally:
        observability.reset_request_id(token)
    assert headers == {"request_id": "req-7"}

    seen = []

    class Request:
        request_id = "req-7"

    class Task:
        name = "core.tasks.run_export_job"
        request = Request()

    task = Task()
    observability._task_prerun(task_id="t1", task=task)
    seen.append(observability.current_request_id())
    observability._task_postrun(task_id="t1", task=task, state="SUCCESS")
    assert seen == ["req-7"] and observability.current_request_id() == ""


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_log_lines_carry_the_request_id_and_no_id_number(fmt, settings):
    import logging.config

    from tests.factories import make_id_number

    number = make_id_number()
    config = {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}}
    config["handlers"] = {**config["handlers"], "console": {**config["handlers"]["console"]}}
    config["handlers"]["console"]["formatter"] = fmt
    logging.config.dictConfig(config)
    handler = logging.getLogger().handlers[0]
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "teacher %s", (number,), None)
        token = observability.set_request_id("rid-9")
        try:
            for f in handler.filters:
                f.filter(record)
        finally:
            observability.reset_request_id(token)
        line = handler.format(record)
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert number not in line and number[:17] not in line
    assert "[ID]" in line and "rid-9" in line
    if fmt == "json":
        data = json.loads(line)
        assert data["request_id"] == "rid-9" and data["level"] == "INFO"


def test_scrub_leaves_other_numbers_alone():
    from tests.factories import make_id_number

    number = make_id_number()
    assert observability.scrub(f"id={number}.") == "id=[ID]."
    assert observability.scrub(number.lower()) == "[ID]"
    assert observability.scrub("order 12345678901234567890 and 2026-12-02") == (
        "order 12345678901234567890 and 2026-12-02"
    )


def test_production_logs_are_json_by_default():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "production-like-secret-key-for-this-test-only",
        "ALLOWED_HOSTS": "portal.example",
    }
    env.pop("LOG_FORMAT", None)
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.LOG_FORMAT, settings.LOGGING['handlers']['console']['formatter'])"],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out.split() == ["json", "json"]


def test_export_failures_are_counted(world, settings, client):
    settings.METRICS_TOKEN = TOKEN
    before = sample(scrape(client).content.decode(), "portal_export_failures_total")
    job = ExportJob.objects.create(owner=world.user("bureau"), exporter="no-such-export")
    from core.exports import run_export

    run_export(job)
    assert sample(scrape(client).content.decode(), "portal_export_failures_total") == before + 1
