from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = _("Credits")

    def ready(self):
        from core.permissions import get_scope
        from core.registry import DemoLoader, NavItem, NavSection, registry
        from core.roles import Role

        from . import demo, services
        from .permissions import may_follow_completion

        services.connect_signals()  # a policy's new cycle rebuilds its balances

        registry.add_section(NavSection("credits", _("Learning hours"), order=41))
        registry.add_nav(
            NavItem(
                "credits-mine",
                _("My hours"),
                "credits:mine",
                visible=lambda user: get_scope(user).has_role(Role.TEACHER),
                order=40,
            )
        )
        registry.add_nav(
            NavItem(
                "credits-completion",
                _("Credit completion"),
                "credits:completion",
                visible=may_follow_completion,
                order=41,
                section="credits",
            )
        )
        registry.add_nav(
            NavItem(
                "credits-claims",
                _("Credit claims"),
                "credits:claim-list",
                permission="credits.view_creditclaim",
                order=42,
                section="credits",
            )
        )
        registry.add_nav(
            NavItem(
                "credits-ledger",
                _("Credit ledger"),
                "credits:entry-list",
                permission="credits.add_creditentry",
                order=43,
                section="credits",
            )
        )
        registry.add_nav(
            NavItem(
                "credits-policies",
                _("Credit policies"),
                "credits:policy-list",
                permission="credits.add_creditpolicy",
                order=44,
                section="credits",
            )
        )
        registry.add_demo(DemoLoader("credits", demo.load, order=40))
