"""The to-do inbox (待办): what awaits the signed-in user, gathered from the
sources apps register (``core.registry.InboxSource``). Each source is counted
and its first rows listed through the user's own ``restrict``ed queryset."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.utils import timezone

from . import notifications
from .permissions import get_scope
from .registry import InboxSource, registry
from .statements import ScopedStatement

#: rows listed per source on the inbox page (the count says how many in all)
LIMIT = 10


@dataclass
class InboxItem:
    text: str
    url: str


@dataclass
class InboxGroup:
    source: InboxSource
    count: int
    items: list[InboxItem] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def inbox(user, *, limit: int = LIMIT) -> list[InboxGroup]:
    """The user's to-do groups with at least one item, in the sources' order."""
    groups = []
    for source in registry.inbox_for(user):
        qs = source.items(user)
        if qs is None:
            continue
        count = qs.count()
        if not count:
            continue
        rows = list(qs[:limit]) if limit else []
        items = [InboxItem(str(source.describe(obj)), source.link(obj)) for obj in rows]
        groups.append(InboxGroup(source=source, count=count, items=items))
    return groups


def inbox_count(user) -> int:
    """How many items await the user in all: every source's count in one
    statement (``count_all``)."""
    return count_all(_sources(user))


def _sources(user, sources=None) -> list:
    if sources is None:
        sources = registry.inbox_for(user)
    return [qs for source in sources if (qs := source.items(user)) is not None]


def badge_counts(user) -> tuple[int, int]:
    """The navigation's two badges, (to-do items, unread notifications), in
    one statement: the inbox sources' counts and the notifications' unread
    count as scalar subqueries of one ``SELECT``, each queryset ``restrict``ed
    as ``inbox_count`` and ``notifications.unread_count`` restrict it. Every
    signed-in page runs it: compiled once per shape of the user's scope
    (``core.statements.ScopedStatement``), keyed also by the sources the user
    sees and the day (a source may count from today)."""
    sources = registry.inbox_for(user)
    key = _key(sources)
    found = _BADGES.statement(user, get_scope(user), key)
    if found is None:  # on several databases: counted one by one
        return tuple(count_groups(_badge_groups(user, sources)))
    using, sql, params = found
    if sql is None:
        return 0, 0
    return tuple(_run(using, sql, params))


def _key(sources) -> tuple:
    """The badge statement's key beyond the scope: the sources, the day and
    the database the router reads from (inside ``replica_reads()`` the
    replica, else the primary; ``core.replica``)."""
    return (
        tuple((s.key, id(s)) for s in sources),
        timezone.localdate(),
        router.db_for_read(notifications.Notification),
    )


def _badge_groups(user, sources=None) -> list[list]:
    return [_sources(user, sources), [notifications.unread(user)]]


_BADGES = ScopedStatement(lambda user: count_statement(_badge_groups(user)))


class Badges:
    """The frame's badges for one request, counted together the first time
    either is asked for (``inbox`` and ``unread`` are callables, so a template
    that shows neither runs no query)."""

    def __init__(self, user):
        self.user = user
        self._counts: tuple[int, int] | None = None

    def _read(self) -> tuple[int, int]:
        if self._counts is None:
            self._counts = badge_counts(self.user)
        return self._counts

    def inbox(self) -> int:
        return self._read()[0]

    def unread(self) -> int:
        return self._read()[1]


def count_all(querysets) -> int:
    """The sum of the querysets' ``count()`` in one statement (``count_groups``
    with one group)."""
    return count_groups([querysets])[0]


def count_groups(groups) -> list[int]:
    """For each group (a list of querysets), the sum of its querysets'
    ``count()``, all groups in one statement (``count_statement``).
    Querysets on different databases are counted one by one."""
    found = count_statement(groups)
    if found is None:
        return [sum(qs.count() for qs in group) for group in groups]
    using, sql, params = found
    if sql is None:
        return [0] * len(groups)
    return _run(using, sql, params)


def count_statement(groups):
    """``(using, sql, params)`` of one ``SELECT`` with a column per group:
    each queryset's ``SELECT COUNT(*) FROM (…)`` (what ``count()`` runs for a
    distinct queryset, right for any) as a scalar subquery, a group's
    subqueries added up. ``(using, None, None)`` when there is nothing to
    count; None when the querysets are on different databases."""
    querysets = [qs for group in groups for qs in group]
    if not querysets:
        return "", None, None
    if len({qs.db for qs in querysets}) != 1:
        return None
    using = querysets[0].db
    columns, params, n = [], [], 0
    for group in groups:
        parts = []
        for qs in group:
            try:
                sql, part_params = qs.order_by().values("pk").query.get_compiler(using).as_sql()
            except EmptyResultSet:  # ``none()`` or an empty ``__in``: nothing to count
                continue
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS source_{n})")
            params.extend(part_params)
            n += 1
        columns.append(" + ".join(parts) if parts else "0")
    if not n:
        return using, None, None
    return using, "SELECT " + ", ".join(columns), params


def _run(using, sql, params) -> list[int]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchone())
