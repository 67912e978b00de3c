from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("The alliance")

    def ready(self):
        from core.registry import DemoLoader, NavItem, registry

        from . import demo, signals  # noqa: F401  (signals: handover on sign-in)

        # One entry in the main navigation; the alliance pages show a tab per
        # section (alliance/subnav.html), each behind its view permission.
        registry.add_nav(
            NavItem(
                "alliance",
                _("Alliance"),
                "alliance:council",
                permission="alliance.view_councilmember",
                order=200,
            )
        )
        # Teachers and school admins see only the resource catalogue.
        registry.add_nav(
            NavItem(
                "alliance-resources",
                _("Digital resources"),
                "alliance:resource-list",
                visible=lambda user: (
                    user.has_perm("alliance.view_digitalresource")
                    and not user.has_perm("alliance.view_councilmember")
                ),
                order=201,
            )
        )
        registry.add_demo(DemoLoader("alliance", demo.load, order=40))
