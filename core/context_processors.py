from django.conf import settings

from .permissions import get_scope
from .registry import registry
from .roles import Role


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "user_roles": [], "LANGUAGES": settings.LANGUAGES}
    scope = get_scope(user)
    labels = dict(Role.choices)
    return {
        "nav_entries": registry.nav_tree(user),
        "user_roles": [labels[r] for r in Role.values if r in scope.roles],
        "LANGUAGES": settings.LANGUAGES,
    }
