from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self):
        from django.core import checks
        from django.db.models import Q

        from . import audit  # noqa: F401  (connects the audit signal handlers)
        from .api import schema  # noqa: F401  (documents token auth in OpenAPI)
        from .permissions import ALL, rules
        from .registry import NavItem, NavSection, registry
        from .roles import Role, roles
        from .twofactor import check_enforced

        roles.discover()  # every app's roles.py, before any rule names them
        checks.register(check_enforced, checks.Tags.security, deploy=True)

        def own_jobs(user, ids):
            return Q(owner_id=user.pk)

        rules.register("core.exportjob", dict.fromkeys(Role, ("view add", own_jobs)))
        rules.register("core.auditentry", {Role.BUREAU: ("view", ALL)})

        def own_notifications(user, ids):
            return Q(recipient_id=user.pk)

        rules.register("core.notification", dict.fromkeys(Role, ("view change", own_notifications)))
        rules.register(
            "core.membership",
            {
                Role.BUREAU: ("view", ALL),
                **{
                    role: ("view", lambda user, ids: Q(user_id=user.pk))
                    for role in Role
                    if role != Role.BUREAU
                },
            },
        )

        # Who manages which district systems' tokens is the app's rule that
        # owns those roles (``manage_tokens`` on memberships).
        rules.register("core.apitoken", {Role.BUREAU: ("view delete", ALL)})
        rules.register(
            "core.membership", {Role.BUREAU: ("manage_tokens", ALL)}, actions=("manage_tokens",)
        )

        # Announcements: a reader sees what is addressed to everyone or to
        # their role and not withdrawn; the author, and the colleagues of the
        # organisation it was published under (the bureau, or one center's
        # staff), edit and withdraw it and still see it once withdrawn. The
        # bureau may also withdraw any center's notice (it answers for what the
        # portal says), but edits only its own.
        def announcement_readers(user, ids, *, role):
            addressed = Q(audience="") | Q(audience=role)
            return (addressed & Q(withdrawn_at__isnull=True)) | Q(author_id=user.pk)

        def own_announcements(user, ids):
            return Q(author_id=user.pk)

        def announcements_of_center(user, ids):
            return Q(author_id=user.pk) | Q(
                publisher_role=Role.CENTER_STAFF, publisher_org_id__in=ids
            )

        def announcements_of_bureau(user, ids):
            return Q(author_id=user.pk) | Q(publisher_role=Role.BUREAU)

        from functools import partial

        rules.register(
            "core.announcement",
            {
                **{
                    role: ("view", partial(announcement_readers, role=role))
                    for role in Role
                    if role not in (Role.BUREAU, Role.CENTER_STAFF)
                },
                Role.BUREAU: {
                    "view withdraw": ALL,
                    "add": own_announcements,
                    "change": announcements_of_bureau,
                },
                Role.CENTER_STAFF: {
                    "view": (
                        partial(announcement_readers, role=Role.CENTER_STAFF),
                        announcements_of_center,
                    ),
                    "add": own_announcements,
                    "change withdraw": announcements_of_center,
                },
            },
            actions=("withdraw",),
        )
        registry.add_section(NavSection("people", _("Organisations and people"), order=10))
        registry.add_section(NavSection("admin", _("Administration"), order=930))
        registry.add_nav(NavItem("home", _("Home"), "home", order=0))
        registry.add_nav(NavItem("inbox", _("To-do"), "inbox", order=1))
        registry.add_nav(NavItem("exports", _("My exports"), "exports", order=900))
        registry.add_nav(NavItem("announcements", _("Announcements"), "announcements", order=905))
        registry.add_nav(NavItem("notifications", _("Notifications"), "notifications", order=2))
        registry.add_nav(
            NavItem(
                "audit",
                _("Audit log"),
                "audit-log",
                permission="core.view_auditentry",
                order=950,
                section="admin",
            )
        )
        registry.add_nav(
            NavItem(
                "api-tokens",
                _("API tokens"),
                "api-tokens",
                permission="core.view_apitoken",
                order=940,
                section="admin",
            )
        )
        from . import panels

        panels.register()
        # Each app declares its rules, exporters and registrations in these modules.
        autodiscover_modules("permissions", "exporters", "panels")
