"""Who may see and run training.

The bureau sees everything and keeps the plans. A center's staff run the
sub-projects their center is responsible for (and the plans it holds); a
district's staff see the sub-projects open to their district, approve their
teachers' enrolments within the quota and keep district plans; a school
admin nominates their teachers; a teacher sees the sub-projects they may
join, their own enrolments, attendance and results; a vendor's staff see and
act on the sub-projects their vendor won (``vendor``, set by procurement's
award) or was granted one by one (django-guardian, ``object_grants``), and
nothing else; a district system reads its district's participation.
"""

from django.db.models import Q

from centers.models import Teacher
from core.permissions import ALL, rules
from core.roles import Role

OPEN = ("approved", "running", "closed")


def _own_center_plans(user, center_ids):
    from .models import SubProject

    return Q(center__in=center_ids) | Q(
        pk__in=SubProject.objects.filter(center__in=center_ids).values("project__plan_id")
    )


def _own_center_projects(user, center_ids):
    from .models import SubProject

    return Q(plan__center__in=center_ids) | Q(
        pk__in=SubProject.objects.filter(center__in=center_ids).values("project_id")
    )


def _district_subprojects(prefix=""):
    def scope(user, district_ids):
        from .models import Quota

        return Q(**{f"{prefix}status__in": OPEN}) & (
            Q(**{f"{prefix}district__in": district_ids})
            | Q(**{f"{prefix}district__isnull": True})
            | Q(
                **{
                    f"{prefix}pk__in": Quota.objects.filter(district__in=district_ids).values(
                        "subproject_id"
                    )
                }
            )
        )

    return scope


def _teacher_subprojects(user, teacher_ids):
    from .models import Enrollment

    districts = Teacher.objects.filter(pk__in=teacher_ids).values("district_id")
    return (Q(status__in=OPEN) & (Q(district__isnull=True) | Q(district__in=districts))) | Q(
        pk__in=Enrollment.objects.filter(teacher__in=teacher_ids).values("subproject_id")
    )


def _school_subprojects(user, school_ids):
    from centers.models import School

    districts = School.objects.filter(pk__in=school_ids).values("district_id")
    return Q(status__in=OPEN) & (Q(district__isnull=True) | Q(district__in=districts))


def _teacher_sessions(user, teacher_ids):
    from .models import Enrollment

    return Q(
        subproject__in=Enrollment.objects.filter(
            teacher__in=teacher_ids, status__in=("enrolled", "waitlisted")
        ).values("subproject_id")
    )


def _own(user, ids):
    return Q(user_id=user.pk)


rules.register(
    "training.plan",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        # A center sees the plans it holds or runs sub-projects of, and keeps its own.
        Role.CENTER_STAFF: {"view": _own_center_plans, "add change": "center"},
        Role.DISTRICT_STAFF: ("view add change", "district"),
    },
)

rules.register(
    "training.project",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: {"view": _own_center_projects, "add change": "plan__center"},
        Role.DISTRICT_STAFF: ("view add change", "plan__district"),
    },
)

rules.register(
    "training.subproject",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", "center"),
        Role.DISTRICT_STAFF: ("view", _district_subprojects()),
        Role.DISTRICT_SYSTEM: ("view", _district_subprojects()),
        Role.SCHOOL_ADMIN: ("view", _school_subprojects),
        Role.TEACHER: ("view", _teacher_subprojects),
        Role.VENDOR: ("view change", "vendor"),
    },
    object_grants=True,
)

rules.register(
    "training.resultrule",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", "subproject__center"),
        Role.VENDOR: ("view", "subproject__vendor"),
    },
)

rules.register(
    "training.quota",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view add change delete", "subproject__center"),
        Role.DISTRICT_STAFF: ("view", "district"),
        Role.SCHOOL_ADMIN: ("view", "school"),
    },
)

rules.register(
    "training.enrollment",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view change", "subproject__center"),
        Role.DISTRICT_STAFF: ("view change", "district"),
        Role.DISTRICT_SYSTEM: ("view", "district"),
        Role.SCHOOL_ADMIN: ("view add change", "school"),
        Role.TEACHER: ("view add change", "teacher"),
        Role.VENDOR: ("view change", "subproject__vendor"),
    },
)

rules.register(
    "training.session",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view add change delete", "subproject__center"),
        Role.VENDOR: ("view add change", "subproject__vendor"),
        Role.TEACHER: ("view", _teacher_sessions),
    },
)

rules.register(
    "training.attendance",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view", "session__subproject__center"),
        Role.DISTRICT_STAFF: ("view", "enrollment__district"),
        Role.DISTRICT_SYSTEM: ("view", "enrollment__district"),
        Role.VENDOR: ("view add change", "session__subproject__vendor"),
        Role.TEACHER: ("view add", "enrollment__teacher"),
    },
)

rules.register(
    "training.result",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view", "enrollment__subproject__center"),
        Role.DISTRICT_STAFF: ("view", "enrollment__district"),
        Role.DISTRICT_SYSTEM: ("view", "enrollment__district"),
        Role.SCHOOL_ADMIN: ("view", "enrollment__school"),
        Role.VENDOR: ("view add change", "enrollment__subproject__vendor"),
        Role.TEACHER: ("view", "enrollment__teacher"),
    },
)

rules.register("training.notice", dict.fromkeys(Role, ("view change", _own)))

# --- Procurement, expert pool, practice bases (training.models.procurement) ----------

rules.register(
    "training.expert",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.CENTER_STAFF: ("view add change", ALL),
    },
)

rules.register(
    "training.practicebase",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
    },
)

rules.register(
    "training.procurement",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", "center"),
    },
)

rules.register(
    "training.bid",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", "procurement__center"),
        Role.VENDOR: ("view", "vendor"),
    },
)

rules.register(
    "training.contract",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", "center"),
        Role.VENDOR: ("view", "vendor"),
    },
)

rules.register(
    "training.paymentstep",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", "contract__center"),
        Role.VENDOR: ("view", "contract__vendor"),
    },
)

# Who may nominate which teachers for training (services.apply, the Excel
# nomination list in training.imports): a school admin their school's, a
# district's staff their district's.
rules.register(
    "centers.teacher",
    {
        Role.SCHOOL_ADMIN: ("nominate", "school"),
        Role.DISTRICT_STAFF: ("nominate", "district"),
    },
    actions=("nominate",),
)

# A district system posts its own 区培 / 校本 participation (services.sync).
rules.register(
    "centers.district",
    {Role.DISTRICT_SYSTEM: ("sync_training", "pk")},
    actions=("sync_training",),
)
