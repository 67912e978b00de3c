"""Statements every signed-in request runs, compiled by the ORM once per process.

Each page reads the session, its user and the user's memberships before any view
runs. Building and compiling those three querysets cost about six times the
query itself (docs/benchmarks.md, "Where a request's CPU goes under gunicorn"):
their shape never changes, only a key or an id does. ``Prepared`` compiles a
queryset once per database (and per ``key``, such as today's date where the
statement depends on it) from a builder given placeholder values, and runs the
compiled SQL with the request's values: the same SQL, the same one query, not a
cache of any row. What would change the SQL (the models, the database) needs a
new process anyway; a ``key`` that moves (a new day) compiles again.
"""

from __future__ import annotations

import itertools
import threading

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

_placeholder_ids = itertools.count(-7_000_000_001, -1)


class Prepared:
    """``build(key, **placeholders)`` returns the queryset; ``rows(using, key,
    **values)`` runs its compiled SQL with each placeholder replaced by its value.

    A placeholder is an integer id or a string (values the database adapters
    pass through unchanged); each must appear among the compiled parameters
    exactly once, or the statement refuses to compile (it would fill the
    wrong parameter). ``columns`` (the ``values_list`` the builder selects)
    names the row's fields, for ``Model.from_db``."""

    def __init__(self, build, *, ints=(), strings=()):
        self.build = build
        self.placeholders = {name: next(_placeholder_ids) for name in ints}
        for name in strings:
            self.placeholders[name] = f"\x00placeholder:{name}:{next(_placeholder_ids)}"
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def compiled(self, using: str, key=()):
        vendor = connections[using].vendor
        found = self._compiled.get((using, vendor))
        if found is None or found[0] != key:
            compiler = self.build(key, **self.placeholders).query.get_compiler(using)
            sql, params = compiler.as_sql()
            slots = []
            for param in params:
                names = [
                    n for n, p in self.placeholders.items() if type(p) is type(param) and p == param
                ]
                slots.append(names[0] if names else None)
            for name in self.placeholders:
                if slots.count(name) != 1:
                    raise ImproperlyConfigured(
                        f"{name} appears {slots.count(name)} times in the compiled statement"
                    )
            # What the ORM does to each value it reads (SQLite's dates and booleans,
            # a field's from_db_value), applied to the rows as the queryset would.
            converters = list(compiler.get_converters([c[0] for c in compiler.select]).items())
            found = (key, sql, tuple(params), tuple(slots), converters)
            with self._lock:
                # One entry per database: a new key (a new day) replaces the old.
                self._compiled[(using, vendor)] = found
        return found

    def rows(self, using: str, key=(), **values) -> list[tuple]:
        _, sql, params, slots, converters = self.compiled(using, key)
        filled = [
            values[slot] if slot else param for param, slot in zip(params, slots, strict=True)
        ]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, filled)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for pos, (functions, expression) in converters:
                value = row[pos]
                for function in functions:
                    value = function(value, expression, connection)
                row[pos] = value
            converted.append(tuple(row))
        return converted


def instance_columns(model) -> list[str]:
    """The concrete fields' attribute names, in the order ``Model.from_db`` takes."""
    return [f.attname for f in model._meta.concrete_fields]
