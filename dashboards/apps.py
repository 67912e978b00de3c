from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from core.registry import NavItem, registry

        from . import services

        registry.add_nav(
            NavItem(
                "dashboards",
                _("Dashboards"),
                "dashboards:index",
                visible=lambda user: bool(services.dashboards_for(user)),
                order=2,
            )
        )
