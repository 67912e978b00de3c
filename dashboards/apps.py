from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from core.registry import DemoLoader, NavItem, registry

        from . import demo, services

        registry.add_nav(
            NavItem(
                "dashboards",
                _("Dashboards"),
                "dashboards:index",
                visible=lambda user: bool(services.dashboards_for(user)),
                order=2,
            )
        )
        # Last: it snapshots what the other apps' demo data loaded.
        registry.add_demo(DemoLoader("dashboards", demo.load, order=990))
