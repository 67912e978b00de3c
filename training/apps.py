from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from django.db.models.signals import post_save

        from core.models import Membership
        from core.permissions import get_scope
        from core.registry import DemoLoader, NavItem, NavSection, registry
        from core.roles import Role
        from credits.services import register_claim_check

        from . import demo, services
        from .services import procurement

        def vendor_joined(sender, instance, created, raw=False, **kwargs):
            if created and not raw:
                procurement.grant_new_staff(instance)

        # Staff who join a vendor after an award get its sub-projects' grants.
        post_save.connect(
            vendor_joined, sender=Membership, weak=False, dispatch_uid="training.vendor_joined"
        )

        # A claim for a portal training would count its hours twice.
        register_claim_check(services.refuse_duplicate_claim)

        registry.add_section(NavSection("training", _("Training"), order=30))
        registry.add_nav(
            NavItem(
                "training-mine",
                _("My training"),
                "training:mine",
                visible=lambda user: get_scope(user).has_role(Role.TEACHER),
                order=30,
            )
        )
        registry.add_nav(
            NavItem(
                "training-board",
                _("Training project board"),
                "training:board",
                permission="training.view_subproject",
                order=31,
                section="training",
            )
        )
        registry.add_nav(
            NavItem(
                "training-plans",
                _("Training plans"),
                "training:plan-list",
                permission="training.view_plan",
                order=32,
                section="training",
            )
        )
        registry.add_nav(
            NavItem(
                "training-enrollments",
                _("Enrolments"),
                "training:enrollment-list",
                visible=lambda user: get_scope(user).has_role(
                    Role.BUREAU, Role.CENTER_STAFF, Role.DISTRICT_STAFF, Role.SCHOOL_ADMIN
                ),
                order=33,
                section="training",
            )
        )
        registry.add_nav(
            NavItem(
                "training-procurements",
                _("Procurements"),
                "training:procurement-list",
                permission="training.view_procurement",
                order=34,
                section="training",
            )
        )
        registry.add_nav(
            NavItem(
                "training-experts",
                _("Expert pool"),
                "training:expert-list",
                permission="training.view_expert",
                order=35,
                section="training",
            )
        )
        registry.add_nav(
            NavItem(
                "training-practice-bases",
                _("Practice bases"),
                "training:practicebase-list",
                permission="training.view_practicebase",
                order=36,
                section="training",
            )
        )
        registry.add_demo(DemoLoader("training", demo.load, order=60))
