"""No Docker engine runs here, so the production shape is checked by reading
it: every command in docker-compose.yml and the Dockerfile names modules,
settings, management commands and the Celery app that exist."""

import importlib
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def _argv(command):
    return shlex.split(command) if isinstance(command, str) else list(command)


def _dockerfile_instruction(name):
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n\s*", " ", text)  # join continued lines
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(name + " ")]


def assert_target_exists(argv):
    """Import whatever the command would start."""
    program, *args = argv
    if program == "python" and args[:1] == ["manage.py"]:
        assert args[1] in get_commands(), f"no management command {args[1]}"
    elif program == "python" and args[:1] == ["-m"]:
        module = importlib.import_module(args[1])
        if hasattr(module, "CHECKS"):
            assert args[2] in module.CHECKS, argv
    elif program == "gunicorn":
        module_name, _, attr = args[0].partition(":")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attr or "application"))
    elif program == "celery":
        assert args[0] == "-A"
        module = importlib.import_module(args[1] + ".celery")
        from celery import Celery

        assert isinstance(module.app, Celery)
        assert args[2] in ("worker", "beat")
    else:
        pytest.fail(f"unknown program in {argv}")


def test_services_are_the_production_shape():
    assert {"db", "redis", "web", "worker", "beat"} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_commands_name_things_that_exist(name):
    service = SERVICES[name]
    assert service["build"] == "."
    assert service["env_file"] == ".env"
    assert_target_exists(_argv(service["command"]))


def test_worker_and_beat_run_the_project_celery_app():
    assert _argv(SERVICES["worker"]["command"])[:4] == ["celery", "-A", "config", "worker"]
    assert _argv(SERVICES["beat"]["command"])[:4] == ["celery", "-A", "config", "beat"]
    from config.celery import app

    app.autodiscover_tasks(force=True)
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_web_serves_the_wsgi_app_with_whitenoise():
    from django.conf import settings

    argv = _argv(SERVICES["web"]["command"])
    assert argv[:2] == ["gunicorn", "config.wsgi:application"]
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker", "beat"])
def test_long_running_services_have_healthchecks(name):
    check = SERVICES[name]["healthcheck"]
    assert not check.get("disable")
    test = check["test"]
    assert test[0] in ("CMD", "CMD-SHELL")
    if test[0] == "CMD" and test[1] == "python":
        assert_target_exists(test[1:])


def test_web_healthcheck_url_is_served(client, db):
    from config import health

    path = health.WEB_URL.split("8000", 1)[1]
    assert resolve(path).url_name == "healthz"
    assert client.get(path).status_code == 200


def test_named_volumes_and_shared_media():
    volumes = set(COMPOSE["volumes"])
    assert {"db-data", "media"} <= volumes
    assert "db-data:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    media = {v for v in SERVICES["web"]["volumes"] if v.startswith("media:")}
    assert media and media <= set(SERVICES["worker"]["volumes"])
    target = media.pop().split(":")[1]
    env_example = (ROOT / ".env.example").read_text()
    assert f"MEDIA_ROOT={target}\n" in env_example


def test_app_services_wait_for_database_broker_and_migrations():
    for name in ("web", "worker", "beat"):
        deps = SERVICES[name]["depends_on"]
        assert deps["db"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
        assert deps["migrate"]["condition"] == "service_completed_successfully"


def test_dockerfile_targets_exist():
    (base,) = _dockerfile_instruction("FROM")
    assert base.startswith("python:3.11-slim")
    (cmd,) = _dockerfile_instruction("CMD")
    assert_target_exists(json.loads(cmd))
    (user,) = _dockerfile_instruction("USER")
    assert user.strip() not in ("root", "0")
    run = " ".join(_dockerfile_instruction("RUN"))
    assert "collectstatic" in run and "compiletranslations" in run
    (check,) = _dockerfile_instruction("HEALTHCHECK")
    assert_target_exists(json.loads(check.split("CMD", 1)[1]))


def test_env_example_names_every_setting_read_from_the_environment():
    settings_text = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\("([A-Z_]+)"', settings_text))
    # Test runs and the image layout only.
    read -= {"TEST_DATABASE_NAME", "STATIC_ROOT", "PYTEST_XDIST_WORKER"}
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert read <= example, read - example
    for service in ("db", "web", "worker", "beat"):
        assert SERVICES[service]["env_file"] == ".env"
