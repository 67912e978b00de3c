"""Who may see and register learning-hour credits.

Teachers see their own ledger, claims and transcripts; a school admin their
school's teachers; district staff and the district's system their district;
staff of a district center that district (they may be the responsible center
of claims), and staff of any center the claims they are responsible for; the
bureau everything. Nobody changes or deletes a ledger entry: a reversal is an
``add``."""

from django.db.models import Q

from centers.models import Center
from core.permissions import ALL, get_scope, rules
from core.roles import Role


def _center_districts(prefix):
    def scope(user, center_ids):
        districts = Center.objects.filter(pk__in=center_ids, district__isnull=False).values(
            "district_id"
        )
        return Q(**{f"{prefix}district_id__in": districts})

    return scope


def _own(user, ids):
    return Q(user_id=user.pk)


_READERS = (
    Role.CENTER_STAFF,
    Role.DISTRICT_STAFF,
    Role.DISTRICT_SYSTEM,
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
)
rules.register(
    "credits.creditpolicy",
    {Role.BUREAU: ("view add change", ALL), **dict.fromkeys(_READERS, ("view", ALL))},
)

rules.register(
    "credits.creditentry",
    {
        Role.BUREAU: ("view", ALL),
        Role.DISTRICT_STAFF: ("view add", "teacher__district"),
        Role.DISTRICT_SYSTEM: ("view add", "teacher__district"),
        Role.CENTER_STAFF: ("view", _center_districts("teacher__")),
        Role.SCHOOL_ADMIN: ("view", "teacher__school"),
        Role.TEACHER: ("view", "teacher"),
    },
)

rules.register(
    "credits.creditclaim",
    {
        Role.BUREAU: ("view", ALL),
        Role.DISTRICT_STAFF: ("view change", "district"),
        Role.CENTER_STAFF: ("view change", "responsible_center"),
        Role.SCHOOL_ADMIN: ("view add change", "school"),
        Role.TEACHER: ("view add", "teacher"),
    },
)

rules.register(
    "credits.transcript",
    {
        Role.BUREAU: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", "teacher__district"),
        Role.SCHOOL_ADMIN: ("view", "teacher__school"),
        Role.TEACHER: ("view add", "teacher"),
    },
)

rules.register("credits.reminder", dict.fromkeys(Role, ("view change", _own)))

# The teachers whose credits a role may see, for completion views and the
# at-risk list (Teacher's own rules let center staff see every teacher; the
# credit scope is narrower).
_TEACHER_PATHS = {
    Role.BUREAU: ALL,
    Role.DISTRICT_STAFF: "district",
    Role.DISTRICT_SYSTEM: "district",
    Role.CENTER_STAFF: _center_districts(""),
    Role.SCHOOL_ADMIN: "school",
    Role.TEACHER: "pk",
}


def teacher_scope_q(user) -> Q | None:
    """Q over ``centers.Teacher`` for the teachers whose credits the user may
    see; None when none at all."""
    scope = get_scope(user)
    if scope.superuser:
        return Q()
    q = None
    for role in scope.roles:
        path = _TEACHER_PATHS.get(role)
        if path is None:
            continue
        if path is ALL:
            return Q()
        part = (
            path(user, scope.ids(role)) if callable(path) else Q(**{f"{path}__in": scope.ids(role)})
        )
        q = part if q is None else q | part
    return q


def credit_teachers(user):
    from centers.models import Teacher

    q = teacher_scope_q(user)
    return Teacher.objects.none() if q is None else Teacher.objects.filter(q)


def credit_district_ids(user) -> list[int] | None:
    """The districts whose completion the user sees whole (None: all), or []
    when the user sees at most some schools."""
    from centers.models import District

    scope = get_scope(user)
    if scope.superuser or scope.has_role(Role.BUREAU):
        return None
    ids = set(scope.ids(Role.DISTRICT_STAFF))
    centers = scope.ids(Role.CENTER_STAFF)
    if centers:
        ids |= set(
            Center.objects.filter(pk__in=centers, district__isnull=False).values_list(
                "district_id", flat=True
            )
        )
    return list(District.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else []


# Completion rates and the at-risk list are for the people who follow other
# teachers' progress; a teacher follows their own on "my hours".
COMPLETION_ROLES = (Role.BUREAU, Role.CENTER_STAFF, Role.DISTRICT_STAFF, Role.SCHOOL_ADMIN)


def may_follow_completion(user) -> bool:
    from core.permissions import can

    return can(user, "view", "credits.creditentry") and get_scope(user).has_role(*COMPLETION_ROLES)
