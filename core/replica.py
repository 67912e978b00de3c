"""Reads from a PostgreSQL read replica, for the pages and exports that can bear
a replica's lag (docs/deploy.md, "Scale-out").

``DATABASE_REPLICA_URL`` adds the ``replica`` database alias and installs
``ReplicaRouter`` (config/settings.py). Nothing reads from the replica unless it
runs inside ``replica_reads()`` (or a view decorated with ``reads_from_replica``):
the dashboards' pages and the Excel exports. Everything else, and in particular
every write, stays on the primary (``default``).

Reads that must see their own writes go to the primary:

* inside ``replica_reads()``, the first write (any ``save``, ``create``,
  ``update``, ``delete`` or ``select_for_update`` through the ORM) pins the rest
  of the block to the primary, so a request reads back what it wrote;
* inside a transaction on the primary (``transaction.atomic``), every read is
  the primary's;
* a view decorated with ``reads_from_replica`` reads from the replica for GET and
  HEAD only; a POST is a write and reads the primary throughout.

An export's only writes are the progress of its own job row, which it never reads
back: it runs with ``pin=False`` so its rows keep coming from the replica.

Raw SQL on ``django.db.connection`` is the primary's (that is the ``default``
alias): only the ORM is routed.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"

_reads: contextvars.ContextVar[dict | None] = contextvars.ContextVar("replica_reads", default=None)


def has_replica() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads(*, pin: bool = True):
    """Within the block, ORM reads go to the replica (when there is one) until
    the first write when ``pin`` (see the module's docstring)."""
    token = _reads.set({"pin": pin, "pinned": False})
    try:
        yield
    finally:
        _reads.reset(token)


def reads_from_replica(view):
    """A view whose GET and HEAD read from the replica (a dashboard)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapper


def reading_from_replica() -> bool:
    """Would a read here go to the replica?"""
    state = _reads.get()
    return bool(
        state is not None
        and not state["pinned"]
        and has_replica()
        and not connections[PRIMARY].in_atomic_block
    )


class ReplicaRouter:
    """``replica`` for reads inside ``replica_reads()``, ``default`` for the rest."""

    def db_for_read(self, model, **hints):
        return REPLICA if reading_from_replica() else PRIMARY

    def db_for_write(self, model, **hints):
        state = _reads.get()
        if state is not None and state["pin"]:
            state["pinned"] = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica follows the primary's schema
