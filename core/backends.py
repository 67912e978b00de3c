from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .permissions import get_scope, rules
from .statements import Prepared, instance_columns


def _user_by_pk(_key, *, pk):
    User = get_user_model()
    return User._default_manager.filter(pk=pk).values_list(*instance_columns(User))


_USER_BY_PK = Prepared(_user_by_pk, ints=("pk",))


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

    def get_user(self, user_id):
        """The signed-in user of a session, as ``ModelBackend.get_user`` loads it
        (one query by primary key, an inactive user is none), by a statement
        compiled once: every signed-in request runs it."""
        User = get_user_model()
        using = User._default_manager.db
        try:
            rows = _USER_BY_PK.rows(using, pk=int(user_id))
        except (TypeError, ValueError):
            return None
        if not rows:
            return None
        user = User.from_db(using, instance_columns(User), rows[0])
        return user if self.user_can_authenticate(user) else None
