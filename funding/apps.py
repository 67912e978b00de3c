from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        from core.permissions import sees_all
        from core.registry import DemoLoader, NavItem, NavSection, registry

        from . import demo

        registry.add_section(NavSection("funding", _("Funding"), order=50))
        registry.add_nav(
            NavItem(
                "funding-lines",
                _("Budget lines"),
                "funding:line-list",
                permission="funding.view_budgetline",
                order=50,
                section="funding",
            )
        )
        registry.add_nav(
            NavItem(
                "funding-overview",
                _("Budget execution"),
                "funding:overview",
                visible=lambda user: sees_all(user, "view", "funding.budgetline"),
                order=51,
                section="funding",
            )
        )
        registry.add_demo(DemoLoader("funding", demo.load, order=70))
