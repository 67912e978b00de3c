from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiosConfig(AppConfig):
    name = "studios"
    verbose_name = _("Studios")

    def ready(self):
        from core.registry import DemoLoader, NavItem, NavSection, registry

        from . import demo

        registry.add_section(NavSection("studios", _("Studios"), order=60))

        def hosts_only(user):  # records a studio's work without managing it
            return user.has_perm("studios.record_studio") and not user.has_perm(
                "studios.change_studio"
            )

        registry.add_nav(
            NavItem(
                "studios-list",
                _("Studios"),
                "studios:list",
                visible=lambda user: user.has_perm("studios.view_studio") and not hosts_only(user),
                order=60,
                section="studios",
            )
        )
        registry.add_nav(
            NavItem(
                "studios-workspace",
                _("Host workspace"),
                "studios:workspace",
                visible=hosts_only,
                order=61,
                section="studios",
            )
        )
        registry.add_nav(
            NavItem(
                "studios-rounds",
                _("Selection rounds"),
                "studios:round-list",
                permission="studios.view_selectionround",
                order=62,
                section="studios",
            )
        )
        # Vocational schools before the credits demo, the studios after it.
        registry.add_demo(DemoLoader("studios-schools", demo.load_schools, order=15))
        registry.add_demo(DemoLoader("studios", demo.load, order=60))
        if demo.HOST_ROLE:  # the host's home page needs their studio role
            for username, label in demo.ACCOUNTS:
                registry.demo_accounts.append((label, username, demo.DEMO_PASSWORD))
