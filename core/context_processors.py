from django.conf import settings

from .inbox import Badges
from .permissions import get_scope
from .registry import registry
from .roles import roles


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": (), "user_roles": [], "LANGUAGES": settings.LANGUAGES}
    scope = get_scope(user)
    badges = Badges(user)
    return {
        "nav_entries": registry.nav_bar(user),
        "user_roles": [info.label for info in roles.all() if info.code in scope.roles],
        "LANGUAGES": settings.LANGUAGES,
        # callables: the template counts only where it shows a badge, both
        # badges in one statement the first time either is shown
        "inbox_count": badges.inbox,
        "unread_count": badges.unread,
    }
