"""The to-do inbox (待办): what awaits the signed-in user, gathered from the
sources apps register (``core.registry.InboxSource``). Each source is counted
and its first rows listed through the user's own ``restrict``ed queryset."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections

from .registry import InboxSource, registry

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
    """How many items await the user in all (the navigation's badge): every
    source's count in one statement (``count_all``)."""
    return count_all(
        [qs for source in registry.inbox_for(user) if (qs := source.items(user)) is not None]
    )


def count_all(querysets) -> int:
    """The sum of the querysets' ``count()`` in one statement: each one's
    ``SELECT COUNT(*) FROM (…)`` (what ``count()`` runs for a distinct
    queryset, right for any) as a scalar subquery. Querysets on different
    databases are counted one by one."""
    if len({qs.db for qs in querysets}) != 1:
        return sum(qs.count() for qs in querysets)
    using = querysets[0].db
    parts, params = [], []
    for i, qs in enumerate(querysets):
        try:
            sql, part_params = qs.order_by().values("pk").query.get_compiler(using).as_sql()
        except EmptyResultSet:  # ``none()`` or an empty ``__in``: nothing to count
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS source_{i})")
        params.extend(part_params)
    if not parts:
        return 0
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(parts), params)
        return cursor.fetchone()[0]
