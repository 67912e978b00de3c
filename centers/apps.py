from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = _("Centers and people")

    def ready(self):
        from django.core import checks

        from core.registry import DemoLoader, NavItem, registry

        from .fields import check_keys

        checks.register(check_keys, checks.Tags.security, deploy=True)

        from . import demo

        registry.add_nav(
            NavItem(
                "centers",
                _("Centers"),
                "centers:center-list",
                permission="centers.view_center",
                order=10,
                section="people",
            )
        )
        registry.add_nav(
            NavItem(
                "schools",
                _("Schools"),
                "centers:school-list",
                permission="centers.view_school",
                order=20,
                section="people",
            )
        )
        from core.permissions import get_scope
        from core.roles import Role

        def _teacher_list(user):
            # a teacher's scope is her own record: a list of one is no list
            roles = get_scope(user).roles
            return user.has_perm("centers.view_teacher") and bool(set(roles) - {Role.TEACHER})

        registry.add_nav(
            NavItem(
                "teachers",
                _("Teachers"),
                "centers:teacher-list",
                visible=_teacher_list,
                order=30,
                section="people",
            )
        )

        def _matrix(user):
            from core.permissions import can

            return can(user, "matrix", "centers.center")

        def _importer(user):
            return any(
                user.has_perm(f"centers.add_{m}") and user.has_perm(f"centers.change_{m}")
                for m in ("staffmember", "school", "teacher")
            )

        for item in (
            NavItem(
                "districts",
                _("Districts"),
                "centers:district-list",
                permission="centers.view_district",
                order=15,
                section="people",
                visible=lambda user: get_scope(user).has_role("bureau", "district_staff"),
            ),
            NavItem(
                "staff",
                _("Staff"),
                "centers:staff-list",
                permission="centers.view_staffmember",
                order=32,
                section="people",
            ),
            NavItem(
                "facilities",
                _("Facilities"),
                "centers:campus-list",
                permission="centers.view_campus",
                order=34,
                section="people",
            ),
            NavItem(
                "standards",
                _("Standards"),
                "centers:standards-matrix",
                visible=_matrix,
                order=36,
                section="people",
            ),
            NavItem(
                "imports",
                _("Import"),
                "centers:import-upload",
                visible=_importer,
                order=38,
                section="people",
            ),
        ):
            registry.add_nav(item)
        registry.add_demo(DemoLoader("centers", demo.load, order=10))
        for username, label in demo.ACCOUNTS:
            registry.demo_accounts.append((label, username, demo.DEMO_PASSWORD))
