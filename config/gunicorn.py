"""gunicorn's settings for the image (``gunicorn config.wsgi:application -c
config/gunicorn.py``). With ``PROMETHEUS_MULTIPROC_DIR`` set (docker-compose's
web service), every worker process writes its metrics there and ``/metrics``
adds them up: the folder is emptied when gunicorn starts and a dead worker's
files are marked so."""

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


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
