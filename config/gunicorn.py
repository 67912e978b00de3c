"""gunicorn's settings for the image (``gunicorn config.wsgi:application -c
config/gunicorn.py``). With ``PROMETHEUS_MULTIPROC_DIR`` set (docker-compose's
web service), every worker process writes its metrics there and ``/metrics``
adds them up: the folder is emptied when gunicorn starts and a dead worker's
files are marked so. Each worker, once it has loaded the app, imports the URLconf
(every view) and moves what it holds out of the garbage collector's reach
(``gc.freeze()``): the long-lived objects are then never scanned again by the
collections requests trigger (docs/deploy.md, docs/benchmarks.md "API batch sync")."""

import gc
import os
import shutil

bind = "0.0.0.0:8000"
workers = 3
timeout = 60


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def post_worker_init(worker):
    """After the worker loaded ``config.wsgi`` (``django.setup()``): import the
    URLconf and with it every view (else the first request does), drop what the
    start-up left as garbage, then freeze the rest: Django's, the apps' and the
    libraries' objects (~160,000) leave the collector's generations, so a full
    collection scans only what requests made."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf's modules)
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
