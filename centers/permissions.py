"""Who may see and change the federation's organisations and people."""

from django.db.models import Q

from core.permissions import ALL, get_scope, rules
from core.roles import Role

rules.register(
    "centers.district",
    dict.fromkeys(Role, ("view", ALL)) | {Role.BUREAU: ("view add change", ALL)},
)

rules.register(
    "centers.center",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
        Role.SCHOOL_ADMIN: ("view", ALL),
        Role.TEACHER: ("view", ALL),
        Role.VENDOR: ("view", ALL),
    },
)

rules.register(
    "centers.school",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view add change", "district"),
        Role.DISTRICT_SYSTEM: ("view add change", "district"),
        Role.SCHOOL_ADMIN: ("view", "pk"),
    },
)

rules.register(
    "centers.teacher",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view add change", "district"),
        Role.DISTRICT_SYSTEM: ("view add change", "district"),
        Role.SCHOOL_ADMIN: ("view add change", "school"),
        Role.TEACHER: ("view", "pk"),
    },
)

rules.register(
    "centers.vendor",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.VENDOR: ("view", "pk"),
    },
)


# Facilities, staff and their activity records: the bureau sees and keeps all
# of them; the alliance secretariat sees all (shared facilities and faculty);
# a center's own staff keep their center's, district staff their district
# center's.
def _center_rules(path):
    return {
        Role.BUREAU: ("view add change delete", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view add change delete", path),
        Role.DISTRICT_STAFF: ("view add change delete", f"{path}__district"),
    }


rules.register("centers.campus", _center_rules("center"))
rules.register("centers.room", _center_rules("campus__center"))
rules.register("centers.staffmember", _center_rules("center"))
rules.register("centers.staffyearrecord", _center_rules("staff__center"))


# --- Scopes that are not one model's rule --------------------------------------
#
# Whole ID numbers (身份证号) are masked everywhere (pages, API, exports). The
# bureau, and district staff of the teacher's own district, may have one
# shown whole through an explicit "show" action, and every showing is
# audited (AuditAction.SENSITIVE_VIEW). Nobody else ever sees it: not center
# staff, school admins, district systems (they send ID numbers, they do not
# read them back), vendors, nor the teacher through the API or exports.


def can_see_whole_id(user, teacher) -> bool:
    scope = get_scope(user)
    if scope.superuser or Role.BUREAU in scope.roles:
        return True
    return teacher.district_id in scope.ids(Role.DISTRICT_STAFF)


def may_see_whole_ids(user) -> bool:
    """Whether the user may see any whole ID number at all (shows the action)."""
    scope = get_scope(user)
    return scope.has_role(Role.BUREAU, Role.DISTRICT_STAFF)


# Standards are evaluated per center. The bureau and the alliance secretariat
# see every center; center staff their own center; district staff their
# district's center. Others have no right (403).


def standards_scope(user) -> Q | None:
    """A filter on Center for the standards pages, API and exports; None: no right."""
    scope = get_scope(user)
    if scope.superuser or scope.has_role(Role.BUREAU, Role.SECRETARIAT):
        return Q()
    q = None
    if Role.CENTER_STAFF in scope.roles:
        q = Q(pk__in=scope.ids(Role.CENTER_STAFF))
    if Role.DISTRICT_STAFF in scope.roles:
        part = Q(district__in=scope.ids(Role.DISTRICT_STAFF))
        q = part if q is None else q | part
    return q


def standards_centers(user):
    """The centers whose standards the user may see (none when no right)."""
    from .models import Center

    q = standards_scope(user)
    return Center.objects.none() if q is None else Center.objects.filter(q)


def may_see_matrix(user) -> bool:
    """The all-centers matrix is the bureau's (and the secretariat's)."""
    scope = get_scope(user)
    return scope.superuser or scope.has_role(Role.BUREAU, Role.SECRETARIAT)


# Imports and district sync write rows: which districts, schools and centers
# the user may write into, the same reach as the add/change rules above.


def writable_districts(user):
    from .models import District

    scope = get_scope(user)
    if scope.superuser or Role.BUREAU in scope.roles:
        return District.objects.all()
    ids = scope.ids(Role.DISTRICT_STAFF) | scope.ids(Role.DISTRICT_SYSTEM)
    return District.objects.filter(pk__in=ids)


def writable_schools_q(user) -> Q | None:
    """Schools whose teachers the user may add or change (None: none)."""
    scope = get_scope(user)
    if scope.superuser or Role.BUREAU in scope.roles:
        return Q()
    q = None
    districts = scope.ids(Role.DISTRICT_STAFF) | scope.ids(Role.DISTRICT_SYSTEM)
    if districts:
        q = Q(district__in=districts)
    if scope.ids(Role.SCHOOL_ADMIN):
        part = Q(pk__in=scope.ids(Role.SCHOOL_ADMIN))
        q = part if q is None else q | part
    return q


def writable_centers(user):
    """Centers whose staff and facilities the user keeps."""
    from .models import Center

    scope = get_scope(user)
    if scope.superuser or Role.BUREAU in scope.roles:
        return Center.objects.all()
    return Center.objects.filter(
        Q(pk__in=scope.ids(Role.CENTER_STAFF))
        | Q(district__in=scope.ids(Role.DISTRICT_STAFF), district__isnull=False)
    )


rules.register(
    "centers.mandate",
    dict.fromkeys(Role, ("view", ALL)) | {Role.BUREAU: ("view add change delete", ALL)},
)
rules.register(
    "centers.standard",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
    },
)
rules.register(
    "centers.standardrule",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
    },
)
