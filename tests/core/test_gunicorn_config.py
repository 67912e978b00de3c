"""config/gunicorn.py's worker hook: each worker, once it loaded the app,
imports the URLconf, collects, then freezes what it holds (``gc.freeze()``),
in that order (docs/deploy.md)."""

import gc

from config import gunicorn as gunicorn_config


def test_the_worker_hook_loads_the_urlconf_then_freezes_the_heap(monkeypatch):
    calls = []

    class Resolver:
        @property
        def url_patterns(self):
            calls.append("urlconf")
            return []

    monkeypatch.setattr("django.urls.get_resolver", lambda: Resolver())
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))

    gunicorn_config.post_worker_init(worker=None)

    assert calls == ["urlconf", "collect", "freeze"]


def test_the_hook_really_freezes():
    gc.unfreeze()
    try:
        gunicorn_config.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
