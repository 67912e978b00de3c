"""The platform's own home-page panels: every signed-in role sees its account
(roles, organisations, password) and its latest exports, so no home page is
ever empty whatever other apps register."""

from django.utils.translation import gettext_lazy as _

from .exports import registry as exporters
from .models import ExportJob, Membership
from .permissions import can, get_scope
from .registry import Panel, registry
from .roles import roles


def _has_role(user):
    return bool(get_scope(user).roles) or user.is_superuser


def account_context(request):
    user = request.user
    memberships = list(Membership.objects.restrict(user).active().filter(user=user))
    return {
        "memberships": [(m.get_role_display(), m.organisation) for m in memberships],
        "is_district_system": any(m.role in roles.api_clients() for m in memberships),
        "manages_tokens": can(user, "add", "core.apitoken"),
    }


def exports_context(request):
    user = request.user
    return {
        "jobs": list(ExportJob.objects.restrict(user).filter(owner=user)[:5]),
        "exporters": exporters.available_to(user),
    }


def announcements_context(request):
    from .services import current_announcements

    items = list(current_announcements(request.user)[:5])
    return {"items": items} if items else None


def register():
    registry.add_panel(
        Panel(
            key="core-announcements",
            title=_("Announcements"),
            template="core/panels/announcements.html",
            context=announcements_context,
            visible=lambda user: user.is_authenticated,
            order=1,
            width=12,
        )
    )
    registry.add_panel(
        Panel(
            key="core-account",
            title=_("My account"),
            template="core/panels/account.html",
            context=account_context,
            visible=_has_role,
            order=900,
            width=6,
        )
    )
    registry.add_panel(
        Panel(
            key="core-exports",
            title=_("My exports"),
            template="core/panels/exports.html",
            context=exports_context,
            visible=lambda user: _has_role(user) and bool(exporters.available_to(user)),
            order=910,
            width=6,
        )
    )
