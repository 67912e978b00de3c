"""What apps above ``core`` plug into it: home-page panels, navigation
entries, to-do (待办) sources and demo-data loaders. Each app registers its own in its
``AppConfig.ready``; ``core`` never imports an app above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class NavItem:
    """An entry of the main navigation.

    Who sees it must follow from the user's roles alone (the roles of their
    active memberships, ``is_superuser``, ``is_active`` and the model
    permissions those give: ``permission``, or a ``visible`` predicate reading
    ``get_scope(user).roles`` / ``has_role`` / ``user.has_perm`` /
    ``can(user, action, "app.model")``), never from the person's own records:
    the navigation is worked out once per set of roles per process
    (``Registry.nav_tree``), and ``tests/core/test_navigation.py`` checks
    it against the uncached answer for every user of the test world."""

    key: str
    label: str
    url_name: str
    #: a model permission (``app.view_model``); empty: any signed-in user
    permission: str = ""
    #: or a predicate on the user (overrides ``permission`` when given)
    visible: Callable | None = None
    order: int = 100
    section: str = ""

    def is_visible(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.visible is not None:
            return bool(self.visible(user))
        return not self.permission or user.has_perm(self.permission)


@dataclass
class NavSection:
    """A drop-down menu of the main navigation grouping items by ``key``."""

    key: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class NavLink:
    """A visible navigation item with its address, reversed once."""

    key: str
    label: str
    url_name: str
    href: str
    order: int
    #: in the "more" menu, the first link of a folded section: its title
    heading: str = ""


@dataclass(frozen=True)
class NavEntry:
    """One entry of the rendered navigation: a link, or a menu of links.
    Shared by every request of the same roles: never changed once built."""

    order: int
    item: NavLink | None = None
    section: NavSection | None = None
    items: tuple[NavLink, ...] = ()
    #: the URL names under this entry (the current page's marks it active)
    url_names: frozenset[str] = frozenset()


@dataclass
class Panel:
    """A block on a role's home page (or the bureau dashboard)."""

    key: str
    title: str
    template: str
    #: callable(request) -> dict of template context; None hides the panel
    context: Callable
    #: a predicate on the user; the panel shows only where it holds
    visible: Callable
    order: int = 100
    width: int = 6  # of 12 grid columns


def _link(obj) -> str:
    return obj.get_absolute_url()


@dataclass
class InboxSource:
    """A kind of to-do item (待办) an app offers: claims to approve,
    enrolments to decide, surveys to answer. ``items(user)`` returns the
    user's open items as a ``restrict``ed queryset (or None where the role has
    none); the inbox counts it and lists its first rows, so a source costs
    two queries whatever its size. ``describe(obj)`` gives the link text (it
    must name the thing: use ``select_related`` in ``items`` for what it
    reads), ``link(obj)`` the address. The frame's badge counts every
    visible source in one statement compiled once per shape of scope
    (``core.statements.ScopedStatement``): ``items`` may read the user's id
    and scope (``restrict``, ``get_scope(user).ids(role)``) and the date, never
    values of the person's own records read while it builds the queryset
    (a subquery is fine); ``tests/core/test_badges.py`` checks every source
    for every actor of the test world."""

    key: str
    label: str
    items: Callable
    visible: Callable
    describe: Callable = str
    link: Callable = _link
    #: the page listing all of them (a URL name), for "see all"
    list_url: str = ""
    order: int = 100


@dataclass
class SearchSource:
    """A kind of record the site search finds: ``search(user, q)`` returns a
    ``restrict``ed queryset of the records matching ``q`` (or None)."""

    key: str
    label: str
    search: Callable
    describe: Callable = str
    link: Callable = _link
    order: int = 100


@dataclass
class DemoLoader:
    key: str
    load: Callable  # load(stdout) -> None; must be idempotent
    order: int = 100


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    sections: dict[str, NavSection] = field(default_factory=dict)
    panels: list[Panel] = field(default_factory=list)
    inbox: list[InboxSource] = field(default_factory=list)
    search: list[SearchSource] = field(default_factory=list)
    demo: list[DemoLoader] = field(default_factory=list)
    demo_accounts: list[tuple[str, str, str]] = field(default_factory=list)
    #: callables ``(user, subproject_ids) -> set of locked ids``: an app above
    #: training (evaluation) holds back a trainee's result and hours until a
    #: condition holds (the satisfaction survey answered), without training
    #: importing it.
    result_gates: list[tuple[str, Callable]] = field(default_factory=list)
    #: callables ``(vendor_ids) -> {vendor id: dict}``: a vendor's record from
    #: apps above training (evaluation's average project score), for
    #: procurement to read.
    vendor_record_sources: list[tuple[str, Callable]] = field(default_factory=list)

    #: the built navigations (``nav_tree``), by roles, URL conf and prefix
    _nav_trees: dict = field(default_factory=dict, repr=False)
    #: the bars cut from them (``nav_bar``), by the same key
    _nav_bars: dict = field(default_factory=dict, repr=False)
    #: entries on the bar before the "more" menu (one line at 1366 px in Chinese)
    bar_limit: int = 8
    #: the same for the languages whose labels are wider: English's run about
    #: twice as wide as Chinese, so five entries and "More" keep to one line
    #: at 1366 px beside the brand (set in two lines by portal.css) and the controls
    bar_limits: dict = field(default_factory=lambda: {"en": 5})

    def add_nav(self, item: NavItem):
        self.nav = [n for n in self.nav if n.key != item.key] + [item]
        self._nav_trees.clear()
        self._nav_bars.clear()

    def add_section(self, section: NavSection):
        self.sections[section.key] = section
        self._nav_trees.clear()
        self._nav_bars.clear()

    def add_panel(self, panel: Panel):
        self.panels = [p for p in self.panels if p.key != panel.key] + [panel]

    def add_inbox(self, source: InboxSource):
        self.inbox = [s for s in self.inbox if s.key != source.key] + [source]

    def inbox_for(self, user) -> list[InboxSource]:
        if not user.is_authenticated:
            return []
        return sorted((s for s in self.inbox if s.visible(user)), key=lambda s: s.order)

    def add_search(self, source: SearchSource):
        self.search = [s for s in self.search if s.key != source.key] + [source]

    def add_demo(self, loader: DemoLoader):
        self.demo = [d for d in self.demo if d.key != loader.key] + [loader]

    def add_result_gate(self, key: str, gate: Callable):
        self.result_gates = [g for g in self.result_gates if g[0] != key] + [(key, gate)]

    def locked_results(self, user, subproject_ids) -> set:
        """The sub-projects among ``subproject_ids`` whose result and hours
        ``user`` may not see yet (any registered gate holds them back)."""
        ids = [i for i in dict.fromkeys(subproject_ids) if i is not None]
        locked: set = set()
        if not ids or not getattr(user, "is_authenticated", False):
            return locked
        for _key, gate in self.result_gates:
            locked |= set(gate(user, ids))
        return locked

    def add_vendor_record(self, key: str, source: Callable):
        self.vendor_record_sources = [s for s in self.vendor_record_sources if s[0] != key] + [
            (key, source)
        ]

    def vendor_records(self, vendor_ids) -> dict:
        """``{vendor id: {source key: record}}`` for the vendors that have one."""
        ids = [i for i in dict.fromkeys(vendor_ids) if i is not None]
        out: dict = {}
        if not ids:
            return out
        for key, source in self.vendor_record_sources:
            for vendor_id, record in source(ids).items():
                out.setdefault(vendor_id, {})[key] = record
        return out

    def nav_for(self, user) -> list[NavItem]:
        """The items ``user`` sees, in order (asks every item: uncached)."""
        return sorted((n for n in self.nav if n.is_visible(user)), key=lambda n: n.order)

    def nav_tree(self, user) -> tuple[NavEntry, ...]:
        """The user's navigation: items without a section (or alone in theirs)
        as links, the others grouped in their section's menu.

        Built once per process for each set of roles (``NavItem``'s contract)
        and each URL configuration and script prefix (the links' addresses):
        ``add_nav``/``add_section`` and a change of the permission rules
        (``rules.version``) start afresh; a user whose memberships change gets
        the navigation of their new roles on their next request, since the
        roles are read every request (``get_scope``)."""
        key = self._nav_key(user)
        return () if key is None else self._tree(key, user)

    def _tree(self, key, user) -> tuple[NavEntry, ...]:
        tree = self._nav_trees.get(key)
        if tree is None:
            if len(self._nav_trees) > 512:  # role sets are few; stale URL confs go
                self._nav_trees.clear()
                self._nav_bars.clear()
            tree = self._nav_trees[key] = self._build_nav_tree(user)
        return tree

    @staticmethod
    def _nav_key(user) -> tuple | None:
        """What the user's navigation depends on (``nav_tree``)."""
        from .links import conf_key
        from .permissions import get_scope, rules

        if not user.is_authenticated:
            return None
        scope = get_scope(user)
        return (
            rules.version,
            *conf_key(),  # the links' addresses: URL conf (its resolver) and script prefix
            bool(user.is_active),
            scope.superuser,
            scope.roles,
        )

    def nav_bar(self, user) -> tuple[NavEntry, ...]:
        """``nav_tree`` as the bar shows it: its first ``bar_limit`` entries
        (``bar_limits`` for the current language if it has one), the rest
        folded into one "more" menu (a folded section's links under its
        title), so that the bar keeps to one line on a 1366 px screen.
        Kept beside the tree it is cut from."""
        from django.utils.translation import get_language

        key = self._nav_key(user)
        if key is None:
            return ()
        limit = self.bar_limits.get(get_language(), self.bar_limit)
        bar = self._nav_bars.get((key, limit))
        if bar is None:
            tree = self._tree(key, user)
            bar = tree if len(tree) <= limit + 1 else self._fold(tree, limit)
            self._nav_bars[key, limit] = bar
        return bar

    def _fold(self, tree: tuple[NavEntry, ...], limit: int) -> tuple[NavEntry, ...]:
        from dataclasses import replace

        from django.utils.translation import gettext_lazy

        shown, folded = tree[:limit], tree[limit:]
        links: list[NavLink] = []
        for entry in folded:
            if entry.section:
                label = entry.section.label
                links += [replace(entry.items[0], heading=label), *entry.items[1:]]
            else:
                links.append(entry.item)
        more = NavEntry(
            order=folded[0].order,
            section=NavSection("more", gettext_lazy("More"), order=folded[0].order),
            items=tuple(links),
            url_names=frozenset().union(*(e.url_names for e in folded)),
        )
        return (*shown, more)

    def _build_nav_tree(self, user) -> tuple[NavEntry, ...]:
        from django.urls import reverse

        def link(item: NavItem) -> NavLink:
            return NavLink(item.key, item.label, item.url_name, reverse(item.url_name), item.order)

        def alone(item: NavItem) -> NavEntry:
            return NavEntry(order=item.order, item=link(item), url_names=frozenset([item.url_name]))

        grouped: dict[str, list[NavItem]] = {}
        entries = []
        for item in self.nav_for(user):
            if item.section in self.sections:
                grouped.setdefault(item.section, []).append(item)
            else:
                entries.append(alone(item))
        for key, items in grouped.items():
            if len(items) == 1:
                entries.append(alone(items[0]))
            else:
                section = self.sections[key]
                entries.append(
                    NavEntry(
                        order=section.order,
                        section=section,
                        items=tuple(link(i) for i in items),
                        url_names=frozenset(i.url_name for i in items),
                    )
                )
        return tuple(sorted(entries, key=lambda e: e.order))

    def panels_for(self, user) -> list[Panel]:
        return sorted((p for p in self.panels if p.visible(user)), key=lambda p: p.order)


registry = Registry()
