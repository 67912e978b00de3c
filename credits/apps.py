from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = _("Credits")

    def ready(self):
        from core.permissions import can
        from core.registry import DemoLoader, NavItem, NavSection, registry

        from . import demo, services

        services.connect_standing_signals()  # teachers, policies, minimums
        services.connect_signals()  # a policy's new cycle rebuilds its balances

        registry.add_section(NavSection("credits", _("Learning hours"), order=41))
        registry.add_nav(
            NavItem(
                "credits-mine",
                _("My hours"),
                "credits:mine",
                visible=lambda user: can(user, "self", "centers.teacher"),
                order=40,
            )
        )
        registry.add_nav(
            NavItem(
                "credits-completion",
                _("Credit completion"),
                "credits:completion",
                visible=lambda user: can(user, "follow_credits", "centers.teacher"),
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
