"""Who may see or change what: the one place every page, API view, form, panel,
export and task asks.

Each app declares, in its ``permissions.py``, for each of its models which
roles may do which actions and how far their scope reaches, per action::

    rules.register("centers.school", {
        Role.BUREAU: ("view", ALL),                      # actions, scope
        Role.DISTRICT_STAFF: ("view add change", "district"),
        Role.CENTER_STAFF: {"view": ALL, "change": "center"},  # see all, change own
        Role.SCHOOL_ADMIN: ("view", ("pk", "parent")),   # a tuple of paths: their union
    }, actions=("merge",))                               # actions beside view/add/change/delete

A scope is a field path ending at the organisation the role's membership
points at (``"district"`` means ``district_id IN <the user's districts>``),
``ALL`` for everything, a callable ``(user, org_ids) -> Q``, or a tuple of
these (their union). Registering the same model again (another app's roles)
adds to its rules. Explicit per-object grants (a vendor on one sub-project)
live in django-guardian and widen the scope for models registered with
``object_grants=True``.

``Model.objects.restrict(user, action)`` narrows a queryset to what the user
may do; ``can(user, action, model)`` says whether the user may do the action
on that model at all (no → 403, while objects outside the scope → 404), and
``can(user, action, obj)`` whether on that one object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .statements import Prepared

ACTIONS = ("view", "add", "change", "delete")


class _All:
    """The whole table. One instance: copies of a rule keep it."""

    def __repr__(self):
        return "ALL"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return "ALL"


ALL = _All()
ScopePath = str | _All | Callable


def _split(actions) -> frozenset[str]:
    return frozenset(actions.split()) if isinstance(actions, str) else frozenset(actions)


def _paths(path) -> tuple:
    return tuple(path) if isinstance(path, tuple | list) else (path,)


@dataclass
class ModelRules:
    label: str
    # role -> action -> the scope paths (their union)
    roles: dict[str, dict[str, tuple]] = field(default_factory=dict)
    actions: frozenset[str] = frozenset(ACTIONS)
    object_grants: bool = False

    def actions_of(self, role) -> frozenset[str]:
        return frozenset(self.roles.get(role, ()))

    def paths(self, role, action) -> tuple:
        return self.roles.get(role, {}).get(action, ())

    def check_action(self, action):
        if action not in self.actions:
            raise ValueError(f"{self.label}: no action {action!r} (known: {sorted(self.actions)})")


class RuleRegistry:
    def __init__(self):
        self._rules: dict[str, ModelRules] = {}
        #: counts the registrations: what is worked out from the rules once
        #: (the navigation per role set) is worked out again when it moves
        self.version = 0

    def register(self, label: str, roles: dict, *, actions=(), object_grants: bool = False):
        """Declare (or add to) the rules of one model; see the module's doc."""
        self.version += 1
        label = label.lower()
        model_rules = self._rules.get(label)
        if model_rules is None:
            model_rules = self._rules[label] = ModelRules(label=label)
        model_rules.actions = model_rules.actions | _split(actions)
        model_rules.object_grants = model_rules.object_grants or object_grants
        for role, spec in roles.items():
            per_action = spec.items() if isinstance(spec, dict) else [spec]
            granted = model_rules.roles.setdefault(str(role), {})
            for acts, path in per_action:
                acts = _split(acts)
                unknown = acts - model_rules.actions
                if unknown:
                    raise ValueError(f"{label}: unknown actions {sorted(unknown)}")
                for act in acts:
                    granted[act] = granted.get(act, ()) + _paths(path)

    def get(self, model_or_label) -> ModelRules | None:
        return self._rules.get(_label(model_or_label))

    def labels(self):
        return sorted(self._rules)

    def permissions_for_roles(self, roles) -> set[str]:
        perms = set()
        for label, model_rules in self._rules.items():
            app_label, model_name = label.split(".")
            for role in roles:
                perms.update(
                    f"{app_label}.{act}_{model_name}" for act in model_rules.actions_of(role)
                )
        return perms


rules = RuleRegistry()


def _label(model_or_label) -> str:
    if isinstance(model_or_label, str):
        return model_or_label.lower()
    return model_or_label._meta.label_lower


def _model_rules(model, action) -> ModelRules | None:
    model_rules = rules.get(model)
    if model_rules is not None:
        model_rules.check_action(action)
    return model_rules


@dataclass(frozen=True)
class Scope:
    """The roles a user holds now and the organisations each one reaches."""

    user_id: int | None
    superuser: bool
    orgs: dict[str, frozenset[int]]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.orgs)

    def has_role(self, *roles) -> bool:
        return self.superuser or any(role in self.orgs for role in roles)

    def ids(self, role) -> frozenset[int]:
        return self.orgs.get(role, frozenset())

    @classmethod
    def from_memberships(cls, user, memberships) -> Scope:
        return cls.from_pairs(user, ((m.role, m.organisation_id) for m in memberships))

    @classmethod
    def from_pairs(cls, user, pairs) -> Scope:
        """From ``(role, organisation id)`` pairs (a membership's two fields)."""
        orgs: dict[str, set[int]] = {}
        for role, organisation_id in pairs:
            ids = orgs.setdefault(role, set())
            if organisation_id is not None:
                ids.add(organisation_id)
        return cls(
            user_id=user.pk,
            superuser=bool(user.is_superuser),
            orgs={role: frozenset(ids) for role, ids in orgs.items()},
        )


EMPTY_SCOPE = Scope(user_id=None, superuser=False, orgs={})


def get_scope(user) -> Scope:
    """The user's scope, computed once per request (or per token)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    scope = getattr(user, "_portal_scope", None)
    if scope is None:
        from .models import Membership

        # Two fields, no model instances (nor their audit snapshots), no ordering,
        # compiled once a day: every signed-in request reads this.
        pairs = _ACTIVE_PAIRS.rows(Membership.objects.db, timezone.localdate(), user_id=user.pk)
        scope = Scope.from_pairs(user, pairs)
        user._portal_scope = scope
    return scope


def _active_pairs(on, *, user_id):
    from .models import Membership

    return (
        Membership.objects.active(on)
        .filter(user_id=user_id)
        .order_by()
        .values_list("role", "organisation_id")
    )


_ACTIVE_PAIRS = Prepared(_active_pairs, ints=("user_id",))


def set_scope(user, memberships) -> None:
    """Pin the user's scope to some memberships only (an API token's one)."""
    user._portal_scope = Scope.from_memberships(user, memberships)
    user._perm_cache = rules.permissions_for_roles(user._portal_scope.roles)


def forget_scope(user) -> None:
    for attr in ("_portal_scope", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def _granted_pks(user, action, model):
    """The pks of ``model`` a django-guardian grant gives ``user`` for ``action``."""
    from guardian.shortcuts import get_objects_for_user

    perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    return get_objects_for_user(user, perm, klass=model, accept_global_perms=False).values("pk")


def can(user, action: str, model) -> bool:
    """May the user do ``action`` on some objects of ``model`` at all, or, given
    an instance, on that object?"""
    if isinstance(model, models.Model):
        obj = model
        return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()
    scope = get_scope(user)
    model_rules = _model_rules(model, action)
    if scope.superuser:
        return True
    if model_rules is None:
        return False
    if any(action in model_rules.actions_of(role) for role in scope.roles):
        return True
    if model_rules.object_grants and user.is_authenticated and not isinstance(model, str):
        return _granted_pks(user, action, model).exists()
    return False


def scope_q(user, action: str, model) -> Q | None:
    """The filter that narrows ``model`` to what the user may ``action``;
    None when nothing at all."""
    scope = get_scope(user)
    model_rules = _model_rules(model, action)
    if scope.superuser:
        return Q()
    if model_rules is None:
        return None
    q = None
    for role in scope.roles:
        for path in model_rules.paths(role, action):
            if path is ALL:
                return Q()
            if callable(path):
                part = path(user, scope.ids(role))
            else:
                part = Q(**{f"{path}__in": scope.ids(role)})
            q = part if q is None else q | part
    return q


def sees_all(user, action: str, model) -> bool:
    """Does the user's scope for ``action`` reach every object of ``model``?
    (A city-wide figure needs no filter; a panel may say "all".)"""
    q = scope_q(user, action, model)
    return q is not None and not q


def restrict(queryset, user, action: str = "view"):
    model = queryset.model
    q = scope_q(user, action, model)
    model_rules = rules.get(model)
    sees_everything = q is not None and not q
    if (
        model_rules is not None
        and model_rules.object_grants
        and user.is_authenticated
        and not sees_everything
    ):
        grant_q = Q(pk__in=_granted_pks(user, action, model))
        q = grant_q if q is None else q | grant_q
    if q is None:
        return queryset.none()
    # Scope paths through many-valued relations must be written as subqueries
    # (``pk__in=...``) in the app's rules, so no row is ever repeated here.
    return queryset.filter(q)


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to a user's scope."""

    def restrict(self, user, action: str = "view"):
        return restrict(self, user, action)


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)
