"""Figures to watch (docs/deploy.md, "Monitoring").

* Prometheus metrics: django-prometheus's middleware counts requests and
  times them by view; this module adds task durations and outcomes, the
  length of the broker's queues (read when scraped), and the sizes of exports
  and district syncs. ``metrics_text`` renders them for ``/metrics``.
* The worker's own figures: a worker (``celery worker`` with ``REDIS_URL``)
  adds what it observes (task durations, export sizes and failures) to hashes
  in Redis as well (``WorkerFigures``); ``/metrics`` on the web app reads them
  back as ``portal_worker_*`` at each scrape, so one scrape shows every worker
  without a port of their own.
* A request id for every request (the proxy's ``X-Request-ID`` or a new one),
  answered in the response header, carried in the headers of the tasks the
  request queues and set again while the worker runs them, so one id follows
  an action from the page to the worker's log lines.
* Log lines, plain or JSON (``LOG_FORMAT``), carry the request id and never an
  ID number: any 18-character resident ID number is replaced.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import os
import re
import time
import uuid

from django.conf import settings
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

TASK_BUCKETS = (0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, float("inf"))
ROWS_BUCKETS = (10, 100, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, float("inf"))
TASK_SECONDS = Histogram(
    "portal_task_duration_seconds",
    "Run time of Celery tasks, by task and outcome (SUCCESS, FAILURE, RETRY).",
    ["task", "state"],
    buckets=TASK_BUCKETS,
)
EXPORT_ROWS = Histogram(
    "portal_export_rows",
    "Rows written by finished exports, by exporter.",
    ["exporter"],
    buckets=ROWS_BUCKETS,
)
EXPORT_FAILURES = Counter(
    "portal_export_failures", "Exports that ended failed, by exporter.", ["exporter"]
)
SYNC_ROWS = Histogram(
    "portal_sync_batch_rows",
    "Rows per district sync batch, by what is synced and outcome.",
    ["kind", "outcome"],
    buckets=(1, 10, 100, 500, 1_000, 5_000, 10_000),
)


# --- the worker's own figures, through Redis --------------------------------------------


class WorkerFigures:
    """Cumulative histograms and counters a worker adds to Redis and ``/metrics``
    reads back. Each figure is one hash ``portal:metrics:<name>`` whose fields are
    ``<labels as JSON>|<bucket>`` (cumulative counts, ``+Inf`` the total),
    ``<labels>|sum`` and, for counters, ``<labels>|count``; the hash
    ``portal:metrics:worker_seen`` holds each worker's last task end (Unix time).
    Only a worker publishes (``enable`` at ``worker_init``); in-process tasks
    (development, tests) count in the process's own metrics alone."""

    PREFIX = "portal:metrics:"
    HISTOGRAMS = {
        "portal_worker_task_duration_seconds": (
            "Run time of Celery tasks in the workers, by task and outcome.",
            ("task", "state"),
            TASK_BUCKETS,
        ),
        "portal_worker_export_rows": (
            "Rows written by exports the workers finished, by exporter.",
            ("exporter",),
            ROWS_BUCKETS,
        ),
    }
    COUNTERS = {
        "portal_worker_export_failures": (
            "Exports the workers ended failed, by exporter.",
            ("exporter",),
        ),
    }

    def __init__(self):
        self.url = ""
        self.hostname = ""

    def enable(self, url: str, hostname: str) -> None:
        self.url, self.hostname = url or "", hostname or ""

    def _client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    @staticmethod
    def _bucket(bound: float) -> str:
        return "+Inf" if bound == float("inf") else repr(float(bound))

    def observe(self, name: str, labels: tuple, value: float) -> None:
        if not self.url:
            return
        import redis

        key = json.dumps(list(labels), ensure_ascii=False)
        try:
            client = self._client()
            with client.pipeline(transaction=False) as pipe:
                for bound in self.HISTOGRAMS[name][2]:
                    if value <= bound:
                        pipe.hincrby(self.PREFIX + name, f"{key}|{self._bucket(bound)}", 1)
                pipe.hincrbyfloat(self.PREFIX + name, f"{key}|sum", value)
                pipe.hset(self.PREFIX + "worker_seen", self.hostname or "-", time.time())
                pipe.execute()
            client.close()
        except redis.RedisError:
            logging.getLogger(__name__).warning("worker figures not published", exc_info=True)

    def inc(self, name: str, labels: tuple) -> None:
        if not self.url:
            return
        import redis

        key = json.dumps(list(labels), ensure_ascii=False)
        try:
            client = self._client()
            client.hincrby(self.PREFIX + name, f"{key}|count", 1)
            client.close()
        except redis.RedisError:
            logging.getLogger(__name__).warning("worker figures not published", exc_info=True)


worker_figures = WorkerFigures()


def observe(metric: Histogram, published: str, labels: tuple, value: float) -> None:
    """Observe ``value`` in this process's ``metric`` and, in a worker, in the
    published figure ``published`` too."""
    metric.labels(*labels).observe(value)
    worker_figures.observe(published, labels, value)


def count(metric: Counter, published: str, labels: tuple) -> None:
    metric.labels(*labels).inc()
    worker_figures.inc(published, labels)


def observe_sync(kind: str, *, rows_of, outcome_of=lambda result: "ok"):
    """Decorate a keyword-only sync service: ``SYNC_ROWS`` observes each
    call's row count (``rows_of(kwargs)``) under its outcome
    (``outcome_of(result)``, or "error" when it raises)."""

    def decorate(service):
        @functools.wraps(service)
        def observed(**kwargs):
            try:
                result = service(**kwargs)
            except Exception:
                SYNC_ROWS.labels(kind, "error").observe(rows_of(kwargs))
                raise
            SYNC_ROWS.labels(kind, outcome_of(result)).observe(rows_of(kwargs))
            return result

        return observed

    return decorate


# --- request ids ----------------------------------------------------------------------


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token:
    """Adopt ``value`` if it is a plain token (a proxy's id), else a new one."""
    value = (value or "").strip()
    return _request_id.set(value if _SAFE_ID.match(value) else uuid.uuid4().hex)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class RequestIdMiddleware:
    """Give each request an id, answer it in ``X-Request-ID`` and log one
    line per request (method, path, status, time, view)."""

    logger = logging.getLogger("portal.request")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = current_request_id()
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            match = getattr(request, "resolver_match", None)
            self.logger.info(
                "%s %s %s %.0fms %s",
                request.method,
                request.get_full_path(),
                response.status_code,
                (time.perf_counter() - started) * 1000,
                match.view_name if match else "-",
            )
            return response
        finally:
            reset_request_id(token)


# --- Celery: durations, request ids -------------------------------------------------------

_started: dict[str, float] = {}


def _before_publish(headers=None, **kwargs):
    request_id = current_request_id()
    if headers is not None and request_id:
        headers.setdefault("request_id", request_id)


def _task_prerun(task_id=None, task=None, **kwargs):
    _started[task_id] = time.perf_counter()
    carried = getattr(task.request, "request_id", None) if task is not None else None
    if carried:  # a worker: take the id of the request that queued the task
        task.request._portal_token = set_request_id(carried)


def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    if started is not None and task is not None:
        observe(
            TASK_SECONDS,
            "portal_worker_task_duration_seconds",
            (task.name, state or "UNKNOWN"),
            time.perf_counter() - started,
        )
    token = getattr(getattr(task, "request", None), "_portal_token", None)
    if token is not None:
        reset_request_id(token)
        task.request._portal_token = None


def _worker_init(sender=None, **kwargs):
    """A worker (not in-process tasks) publishes its figures for /metrics."""
    if settings.REDIS_URL:
        worker_figures.enable(settings.REDIS_URL, getattr(sender, "hostname", "") or "")


def connect_celery_signals():
    from celery.signals import before_task_publish, task_postrun, task_prerun, worker_init

    worker_init.connect(_worker_init, weak=False, dispatch_uid="portal-worker-figures")
    before_task_publish.connect(_before_publish, weak=False, dispatch_uid="portal-rid")
    task_prerun.connect(_task_prerun, weak=False, dispatch_uid="portal-task-start")
    task_postrun.connect(_task_postrun, weak=False, dispatch_uid="portal-task-end")


# --- queue lengths, the /metrics text -------------------------------------------------------


class QueueLengthCollector:
    """The number of tasks waiting in each broker queue, read when scraped."""

    def _family(self):
        return GaugeMetricFamily(
            "portal_task_queue_length", "Tasks waiting in the broker queue.", labels=["queue"]
        )

    def describe(self):
        # What registering asks for: the name alone, no settings read, no Redis.
        yield self._family()

    def collect(self):
        family = self._family()
        url = settings.REDIS_URL
        if url:
            import redis
            from celery import current_app

            queues = {current_app.conf.task_default_queue}
            queues |= {q.name for q in current_app.conf.task_queues or ()}  # one per workload
            client = redis.Redis.from_url(url, socket_timeout=2)
            try:
                for queue in sorted(queues):
                    family.add_metric([queue], client.llen(queue))
            except redis.RedisError:
                pass  # the broker's own health shows elsewhere; keep /metrics answering
            finally:
                client.close()
        yield family


class WorkerFiguresCollector:
    """The workers' published figures (``WorkerFigures``), read from Redis when
    scraped; nothing without ``REDIS_URL`` or when Redis does not answer."""

    def _families(self):
        for name, (doc, labels, _bounds) in WorkerFigures.HISTOGRAMS.items():
            yield name, HistogramMetricFamily(name, doc, labels=list(labels))
        for name, (doc, labels) in WorkerFigures.COUNTERS.items():
            yield name, CounterMetricFamily(name, doc, labels=list(labels))
        yield (
            "worker_seen",
            GaugeMetricFamily(
                "portal_worker_last_task_end_timestamp_seconds",
                "When each worker last finished a task (Unix time).",
                labels=["worker"],
            ),
        )

    def describe(self):
        for _name, family in self._families():
            yield family

    def collect(self):
        families = list(self._families())
        url = settings.REDIS_URL
        if url:
            import redis

            client = redis.Redis.from_url(url, socket_timeout=2)
            try:
                for name, family in families:
                    data = {
                        k.decode(): float(v)
                        for k, v in client.hgetall(WorkerFigures.PREFIX + name).items()
                    }
                    self._fill(name, family, data)
            except redis.RedisError:
                pass  # keep /metrics answering
            finally:
                client.close()
        for _name, family in families:
            yield family

    @staticmethod
    def _fill(name, family, data):
        if name == "worker_seen":
            for worker, seen in sorted(data.items()):
                family.add_metric([worker], seen)
            return
        series: dict[str, dict[str, float]] = {}
        for field, value in data.items():
            key, _, part = field.rpartition("|")
            series.setdefault(key, {})[part] = value
        for key, parts in sorted(series.items()):
            labels = [str(v) for v in json.loads(key)]
            if name in WorkerFigures.COUNTERS:
                family.add_metric(labels, parts.get("count", 0))
                continue
            bounds = WorkerFigures.HISTOGRAMS[name][2]
            buckets = [
                (WorkerFigures._bucket(b), parts.get(WorkerFigures._bucket(b), 0)) for b in bounds
            ]
            family.add_metric(labels, buckets, parts.get("sum", 0.0))


_queue_collector = QueueLengthCollector()
REGISTRY.register(_queue_collector)
_worker_collector = WorkerFiguresCollector()
REGISTRY.register(_worker_collector)


def metrics_text() -> tuple[bytes, str]:
    """The exposition text: this process's registry, or every process's when
    ``PROMETHEUS_MULTIPROC_DIR`` is set (gunicorn's workers)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_queue_collector)
        registry.register(_worker_collector)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


# --- logs ---------------------------------------------------------------------------------

# An 18-character resident ID number (6-digit region, birth date 18xx–20xx,
# 3-digit sequence, check digit), not inside a longer run of digits.
ID_NUMBER = re.compile(r"(?<![0-9])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{5}[\dXx](?![0-9])")
ID_MASK = "[ID]"


def scrub(text: str) -> str:
    return ID_NUMBER.sub(ID_MASK, text)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id() or "-"
        return True


class ScrubbingFormatter(logging.Formatter):
    """Plain lines, ID numbers replaced (messages, arguments, tracebacks)."""

    def format(self, record):
        return scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message
    (and the traceback), ID numbers replaced."""

    def format(self, record):
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return scrub(json.dumps(data, ensure_ascii=False))
