from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = _("Centers and people")

    def ready(self):
        from core.registry import DemoLoader, NavItem, registry

        from . import demo

        registry.add_nav(
            NavItem(
                "centers",
                _("Centers"),
                "centers:center-list",
                permission="centers.view_center",
                order=10,
            )
        )
        registry.add_nav(
            NavItem(
                "schools",
                _("Schools"),
                "centers:school-list",
                permission="centers.view_school",
                order=20,
            )
        )
        registry.add_nav(
            NavItem(
                "teachers",
                _("Teachers"),
                "centers:teacher-list",
                permission="centers.view_teacher",
                order=30,
            )
        )
        registry.add_demo(DemoLoader("centers", demo.load, order=10))
        for username, label in demo.ACCOUNTS:
            registry.demo_accounts.append((label, username, demo.DEMO_PASSWORD))
