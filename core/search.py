"""Site search: the records a user may see whose names match, gathered from
the sources apps register (``core.registry.SearchSource``), each through the
user's ``restrict``ed queryset: two queries per source (count, first rows)."""

from __future__ import annotations

from .inbox import InboxGroup, InboxItem
from .registry import registry

LIMIT = 10
MIN_LENGTH = 1


def search(user, q: str, *, limit: int = LIMIT) -> list[InboxGroup]:
    q = (q or "").strip()
    if len(q) < MIN_LENGTH or not user.is_authenticated:
        return []
    groups = []
    for source in sorted(registry.search, key=lambda s: s.order):
        qs = source.search(user, q)
        if qs is None:
            continue
        count = qs.count()
        if not count:
            continue
        items = [InboxItem(str(source.describe(obj)), source.link(obj)) for obj in qs[:limit]]
        groups.append(InboxGroup(source=source, count=count, items=items))
    return groups
