from rest_framework.permissions import BasePermission

from ..permissions import can

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def view_action(view, request) -> str:
    """The permission action a request needs: a view may name it per DRF
    action (``permission_actions = {"approve": "change"}``)."""
    mapping = getattr(view, "permission_actions", {}) or {}
    drf_action = getattr(view, "action", None)
    if drf_action in mapping:
        return mapping[drf_action]
    return METHOD_ACTIONS.get(request.method, "change")


class RolePermission(BasePermission):
    """Deny by default: the user must be signed in and one of their roles
    must allow the action on the view's model (403 otherwise). Objects
    outside the scope are never in the queryset, so they answer 404."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "public", False):
            return True
        model = getattr(view, "permission_model", None)
        if model is None:
            queryset = getattr(view, "queryset", None)
            model = queryset.model if queryset is not None else None
        if model is None:
            return False
        return can(request.user, view_action(view, request), model)
