"""What apps above ``core`` plug into it: home-page panels, navigation
entries and demo-data loaders. Each app registers its own in its
``AppConfig.ready``; ``core`` never imports an app above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class NavItem:
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


@dataclass
class DemoLoader:
    key: str
    load: Callable  # load(stdout) -> None; must be idempotent
    order: int = 100


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    demo: list[DemoLoader] = field(default_factory=list)
    demo_accounts: list[tuple[str, str, str]] = field(default_factory=list)

    def add_nav(self, item: NavItem):
        self.nav = [n for n in self.nav if n.key != item.key] + [item]

    def add_panel(self, panel: Panel):
        self.panels = [p for p in self.panels if p.key != panel.key] + [panel]

    def add_demo(self, loader: DemoLoader):
        self.demo = [d for d in self.demo if d.key != loader.key] + [loader]

    def nav_for(self, user) -> list[NavItem]:
        return sorted((n for n in self.nav if n.is_visible(user)), key=lambda n: n.order)

    def panels_for(self, user) -> list[Panel]:
        return sorted((p for p in self.panels if p.visible(user)), key=lambda p: p.order)


registry = Registry()
