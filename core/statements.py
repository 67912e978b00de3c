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

import copy
import itertools
import threading

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models.query import get_related_populators

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
        return converted_rows(rows, converters, connection)


def converted_rows(rows, converters, connection) -> list[tuple]:
    """The rows with each converter (a compiler's ``get_converters`` items:
    SQLite's dates and booleans, a field's ``from_db_value``) applied, as the
    queryset applies them."""
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


#: a scope shape whose statement does not follow from the shape alone (a value
#: such as ``timezone.now()`` differed between two compiles): built every time
UNPREPARED = object()


class ScopedStatement:
    """A statement built through ``restrict`` (so its SQL follows from the
    user's scope), compiled once per process for each *shape* of scope: the
    superuser flag, the roles and how many organisations each reaches (an
    ``IN`` list's length), plus the caller's ``key``. ``compose(user)``
    returns ``(using, sql, params)``, ``(using, None, None)`` when there is
    nothing to run, or None when it cannot be one statement.

    The shape is compiled for two stand-ins of the user (copies with
    placeholder ids for the user and for each organisation) and for the user
    itself: a parameter equal in both stand-ins is a constant, one equal to
    the same placeholder in both is filled from the request's user; the SQL
    must be the same three times and the user's own compile must be what the
    filled statement gives, or the shape is ``UNPREPARED`` and composed by the
    ORM on every call (a value that moves, such as ``timezone.now()``, does
    that). The same SQL and parameters the ORM would send, not a cache of any
    row. What invalidates it: the key holds the rule registry's version, the
    database and the caller's ``key`` (the visible sources, the date); a new
    membership or an ended one changes the shape."""

    def __init__(self, compose, *, ints=()):
        self.compose = compose
        #: further integer placeholders (an id the page passes, such as the
        #: teacher's): ``compose(user, **values)`` and ``statement(…, **values)``
        self.ints = tuple(ints)
        if "pk" in self.ints:
            raise ImproperlyConfigured("pk is the user's own placeholder")
        self._compiled: dict = {}
        self._lock = threading.Lock()
        #: how many shapes were compiled (tests read it)
        self.compiles = 0

    def statement(self, user, scope, key=(), **values):
        """``(using, sql, params)`` for ``user`` (``sql`` None: nothing to
        run), or None when the ORM's own path must run it. ``values``: one
        integer for each of ``ints``. Whatever ``compose`` returns after the
        parameters (how to read the rows) comes after them, as the user's own
        compile of the shape returned it."""
        from .permissions import rules

        if set(values) != set(self.ints):
            raise TypeError(f"expected the values {self.ints}, got {tuple(values)}")
        shape = (
            scope.superuser,
            bool(user.is_active),
            rules.version,
            tuple(sorted((role, len(ids)) for role, ids in scope.orgs.items())),
            key,
        )
        found = self._compiled.get(shape)
        if found is None:
            found = self._compile(user, scope, values)
            with self._lock:
                if len(self._compiled) > 1024:  # stale versions (tests) go
                    self._compiled.clear()
                self._compiled[shape] = found
        if found is UNPREPARED:
            return self.compose(user, **values)
        using, sql, params, slots, extra = found
        if sql is None:
            return (using, None, None, *extra)
        filling = _slot_values(user, scope, values)
        filled = [p if s is None else filling[s] for p, s in zip(params, slots, strict=True)]
        return (using, sql, filled, *extra)

    def _compile(self, user, scope, given):
        from .permissions import Scope

        self.compiles += 1
        real = self.compose(user, **given)
        sides = []
        for _ in range(2):
            values = {"pk": next(_placeholder_ids)}
            values.update({name: next(_placeholder_ids) for name in self.ints})
            orgs = {}
            for role, ids in scope.orgs.items():
                # ascending, as the user's own ids are given out (``_slot_values``)
                placeholders = sorted(next(_placeholder_ids) for _ in ids)
                values.update({(role, i): v for i, v in enumerate(placeholders)})
                orgs[role] = frozenset(placeholders)
            stand_in = copy.copy(user)
            stand_in._state = copy.copy(user._state)
            stand_in._state.fields_cache = {}
            stand_in.pk = values["pk"]
            stand_in._portal_scope = Scope(
                user_id=values["pk"], superuser=scope.superuser, orgs=orgs
            )
            sides.append((values, self.compose(stand_in, **{n: values[n] for n in self.ints})))
        (a_values, a), (b_values, b) = sides
        if real is None or a is None or b is None or not (real[0] == a[0] == b[0]):
            return UNPREPARED
        if real[1] is None and a[1] is None and b[1] is None:
            return real[0], None, None, None, tuple(real[3:])
        if not (real[1] == a[1] == b[1]) or not (len(real[2]) == len(a[2]) == len(b[2])):
            return UNPREPARED
        slot_of = {v: name for name, v in a_values.items()}
        slots = []
        for pa, pb in zip(a[2], b[2], strict=True):
            name = slot_of.get(pa) if type(pa) is int else None
            if name is not None and type(pb) is int and b_values[name] == pb:
                slots.append(name)
            elif name is None and type(pa) is type(pb) and pa == pb:
                slots.append(None)
            else:
                return UNPREPARED
        if not _fills(real[2], a[2], slots, user, scope, given):
            return UNPREPARED
        return real[0], real[1], tuple(a[2]), tuple(slots), tuple(real[3:])


def _slot_values(user, scope, given=None) -> dict:
    values = {"pk": user.pk, **(given or {})}
    for role, ids in scope.orgs.items():
        values.update({(role, i): v for i, v in enumerate(sorted(ids))})
    return values


def _fills(real_params, params, slots, user, scope, given=None) -> bool:
    """Does the filled statement send what the user's own compile sent? The
    constants, the user's id and the caller's ids in place; each role's
    organisations as a whole (an ``IN`` list's order is the set's, which is
    arbitrary)."""
    scalars = {"pk": user.pk, **(given or {})}
    by_role: dict = {}
    for got, param, slot in zip(real_params, params, slots, strict=True):
        if slot is None:
            if type(got) is not type(param) or got != param:
                return False
        elif type(slot) is str:
            if got != scalars[slot]:
                return False
        else:
            by_role.setdefault(slot[0], []).append(got)
    placed: dict = {}
    for slot in slots:
        if slot is not None and type(slot) is not str:
            placed.setdefault(slot[0], []).append(_slot_values(user, scope)[slot])
    return all(sorted(by_role[role]) == sorted(placed[role]) for role in placed)


def compose(queryset):
    """``(using, sql, params, reader)`` of ``queryset`` as its iteration
    would run it; ``sql`` None when it can hold no row."""
    using = queryset.db
    compiler = queryset.query.get_compiler(using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return using, None, None, None
    return using, sql, params, RowReader(compiler, using)


class RowReader:
    """Rows to instances, what ``ModelIterable`` does with a compiler's rows
    (the converters, ``select_related``'s objects, the annotations)."""

    def __init__(self, compiler, using):
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.names = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, using)
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = list(compiler.get_converters([c[0] for c in select]).items())
        self.using = using

    def __call__(self, rows):
        objects = []
        for row in converted_rows(rows, self.converters, connections[self.using]):
            obj = self.model.from_db(self.using, self.names, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, pos in self.annotations.items():
                setattr(obj, name, row[pos])
            objects.append(obj)
        return objects
