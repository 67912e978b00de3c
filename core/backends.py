from django.contrib.auth.backends import ModelBackend

from .permissions import get_scope, rules


class RoleBackend(ModelBackend):
    """Model permissions come from the roles of the user's active memberships
    (plus any a superuser or group gives), so ``user.has_perm`` and the
    ``perms`` template variable agree with ``rules``."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            # Roles are the only source of rights for ordinary users; superusers
            # pass every check before reaching here. Skipping the user and group
            # permission tables keeps a request's query count fixed.
            user_obj._perm_cache = rules.permissions_for_roles(get_scope(user_obj).roles)
        return user_obj._perm_cache
