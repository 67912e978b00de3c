from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("The alliance")

    def ready(self):
        from core.registry import DemoLoader, NavItem, registry

        from . import demo, signals  # noqa: F401  (signals: handover on sign-in)

        section = _("Alliance")
        for key, label, url_name, perm, order in [
            ("alliance-council", _("Council"), "alliance:council", "view_councilmember", 200),
            (
                "alliance-documents",
                _("Plans and reports"),
                "alliance:document-list",
                "view_workdocument",
                210,
            ),
            (
                "alliance-meetings",
                _("Meetings and forums"),
                "alliance:meeting-list",
                "view_meeting",
                220,
            ),
            (
                "alliance-results",
                _("Results statistics"),
                "alliance:achievement-list",
                "view_achievement",
                230,
            ),
            ("alliance-bookings", _("Room bookings"), "alliance:booking-list", "view_booking", 240),
            (
                "alliance-faculty",
                _("Shared faculty"),
                "alliance:faculty-list",
                "view_sharedfaculty",
                250,
            ),
            (
                "alliance-resources",
                _("Digital resources"),
                "alliance:resource-list",
                "view_digitalresource",
                260,
            ),
        ]:
            registry.add_nav(
                NavItem(
                    key,
                    label,
                    url_name,
                    permission=f"alliance.{perm}",
                    order=order,
                    section=section,
                )
            )
        registry.add_demo(DemoLoader("alliance", demo.load, order=40))
