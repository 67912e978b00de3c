"""Who may see or change what: the one place every page, API view and export
asks.

Each app declares, in its ``permissions.py``, for each of its models which
roles may do which actions and how far their scope reaches::

    rules.register("centers.school", {
        Role.BUREAU: ("view", ALL),
        Role.DISTRICT_STAFF: ("view add change", "district"),
        Role.SCHOOL_ADMIN: ("view", "pk"),
    })

The scope is a field path ending at the organisation the role's membership
points at (``"district"`` means ``district_id IN <the user's districts>``),
``ALL`` for everything, or a callable ``(user, org_ids) -> Q``. Explicit
per-object grants (a vendor on one sub-project) live in django-guardian and
widen the scope for models registered with ``object_grants=True``.

``Model.objects.restrict(user, action)`` narrows a queryset to what the user
may do; ``can(user, action, model)`` says whether the user may do the action
on that model at all (no → 403, while objects outside the scope → 404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from .roles import Role

ACTIONS = ("view", "add", "change", "delete")


class _All:
    def __repr__(self):
        return "ALL"


ALL = _All()
ScopePath = str | _All | Callable


@dataclass
class ModelRules:
    label: str
    roles: dict[str, tuple[frozenset[str], ScopePath]] = field(default_factory=dict)
    object_grants: bool = False


class RuleRegistry:
    def __init__(self):
        self._rules: dict[str, ModelRules] = {}

    def register(self, label: str, roles: dict, *, object_grants: bool = False):
        label = label.lower()
        parsed = {}
        for role, (actions, path) in roles.items():
            acts = frozenset(actions.split()) if isinstance(actions, str) else frozenset(actions)
            unknown = acts - set(ACTIONS)
            if unknown:
                raise ValueError(f"{label}: unknown actions {unknown}")
            parsed[Role(role)] = (acts, path)
        self._rules[label] = ModelRules(label=label, roles=parsed, object_grants=object_grants)

    def get(self, model_or_label) -> ModelRules | None:
        return self._rules.get(_label(model_or_label))

    def labels(self):
        return sorted(self._rules)

    def permissions_for_roles(self, roles) -> set[str]:
        perms = set()
        for label, rules in self._rules.items():
            app_label, model_name = label.split(".")
            for role in roles:
                acts = rules.roles.get(role, (frozenset(), None))[0]
                perms.update(f"{app_label}.{act}_{model_name}" for act in acts)
        return perms


rules = RuleRegistry()


def _label(model_or_label) -> str:
    if isinstance(model_or_label, str):
        return model_or_label.lower()
    return model_or_label._meta.label_lower


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
        orgs: dict[str, set[int]] = {}
        for membership in memberships:
            ids = orgs.setdefault(membership.role, set())
            if membership.organisation_id is not None:
                ids.add(membership.organisation_id)
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

        scope = Scope.from_memberships(user, Membership.objects.active().filter(user=user))
        user._portal_scope = scope
    return scope


def set_scope(user, memberships) -> None:
    """Pin the user's scope to some memberships only (an API token's one)."""
    user._portal_scope = Scope.from_memberships(user, memberships)
    user._perm_cache = rules.permissions_for_roles(user._portal_scope.roles)


def forget_scope(user) -> None:
    for attr in ("_portal_scope", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def can(user, action: str, model) -> bool:
    """May the user do ``action`` on some objects of ``model`` at all?"""
    scope = get_scope(user)
    if scope.superuser:
        return True
    model_rules = rules.get(model)
    if model_rules is None:
        return False
    if any(action in model_rules.roles.get(role, (frozenset(), None))[0] for role in scope.roles):
        return True
    if model_rules.object_grants and user.is_authenticated:
        from guardian.shortcuts import get_objects_for_user

        meta = model._meta if not isinstance(model, str) else None
        if meta is not None:
            perm = f"{meta.app_label}.{action}_{meta.model_name}"
            return get_objects_for_user(user, perm, klass=model, accept_global_perms=False).exists()
    return False


def scope_q(user, action: str, model) -> Q | None:
    """The filter that narrows ``model`` to what the user may ``action``;
    None when nothing at all."""
    scope = get_scope(user)
    if scope.superuser:
        return Q()
    model_rules = rules.get(model)
    if model_rules is None:
        return None
    q = None
    for role in scope.roles:
        acts, path = model_rules.roles.get(role, (frozenset(), None))
        if action not in acts:
            continue
        if path is ALL:
            return Q()
        if callable(path):
            part = path(user, scope.ids(role))
        else:
            part = Q(**{f"{path}__in": scope.ids(role)})
        q = part if q is None else q | part
    return q


def restrict(queryset, user, action: str = "view"):
    model = queryset.model
    q = scope_q(user, action, model)
    model_rules = rules.get(model)
    # An empty Q (ALL) already reaches everything: OR-ing the grants onto it
    # would narrow it to them (Q() | X is X).
    everything = q is not None and not q
    if model_rules is not None and model_rules.object_grants and user.is_authenticated:
        if everything:
            return queryset
        from guardian.shortcuts import get_objects_for_user

        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        granted = get_objects_for_user(user, perm, klass=model, accept_global_perms=False).values(
            "pk"
        )
        grant_q = Q(pk__in=granted)
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
