"""Celery queues per workload (config/settings.py CELERY_TASK_ROUTES): each task
name routes to its queue, every queue has its workers in docker-compose.yml,
and a worker started without -Q (development) consumes them all."""

import shlex
from pathlib import Path

import pytest
import yaml

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
QUEUES = {"default", "exports", "evaluations", "notifications"}
EXPECTED = {
    "core.tasks.run_export_job": "exports",
    "evaluation.tasks.compute_campaign": "evaluations",
    "evaluation.tasks.compute_project_score": "evaluations",
    "evaluation.tasks.compute_survey_results": "evaluations",
    "evaluation.tasks.send_close_surveys": "evaluations",
    "credits.tasks.remind_at_risk_teachers": "notifications",
    "evaluation.tasks.remind_and_close_surveys": "notifications",
    "alliance.tasks.sync_secretariat": "default",
    "core.tasks.delete_expired_exports": "default",
    "core.tasks.purge_old_audit_entries": "default",
    "core.tasks.sweep_stalled_exports": "default",
    "credits.tasks.purge_sync_requests": "default",
    "credits.tasks.refresh_completion_standings": "default",
    "dashboards.tasks.take_monthly_snapshot": "default",
    "funding.tasks.purge_figure_batches": "default",
}


def project_tasks():
    app.autodiscover_tasks(force=True)
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def queue_of(name):
    return app.amqp.router.route({}, name)["queue"].name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_task_routes_to_its_workloads_queue(name):
    assert name in project_tasks()
    assert queue_of(name) == EXPECTED[name]


def test_every_task_is_routed_to_a_declared_queue():
    # A new task lands in "default" unless it is routed: listed here, it is a choice.
    assert project_tasks() == sorted(EXPECTED)
    assert {q.name for q in app.conf.task_queues} == QUEUES
    assert app.conf.task_default_queue == "default"


def test_an_explicit_queue_wins_over_the_route():
    # What the worker-kill test and an operator's `apply_async(queue=…)` rely on.
    options = app.amqp.router.route({"queue": "elsewhere"}, "core.tasks.run_export_job")
    assert options["queue"].name == "elsewhere"


def test_compose_runs_workers_for_every_queue():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    consumed = {}
    for name, service in services.items():
        argv = service.get("command") or []
        argv = shlex.split(argv) if isinstance(argv, str) else list(argv)
        if argv[:4] == ["celery", "-A", "config", "worker"]:
            (queues,) = [argv[i + 1] for i, a in enumerate(argv) if a == "-Q"]
            for queue in queues.split(","):
                consumed.setdefault(queue, []).append(name)
    assert set(consumed) == QUEUES, consumed
    # The export workers write the files the web serves: the same media volume.
    for name in consumed["exports"]:
        assert any(v.startswith("media:") for v in services[name]["volumes"])
