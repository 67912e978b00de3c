"""The to-do inbox (待办): what awaits the signed-in user, gathered from the
sources apps register (``core.registry.InboxSource``). Each source is counted
and its first rows listed through the user's own ``restrict``ed queryset."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """How many items await the user in all (the navigation's badge)."""
    total = 0
    for source in registry.inbox_for(user):
        qs = source.items(user)
        if qs is not None:
            total += qs.count()
    return total
