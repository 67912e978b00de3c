"""Who may see and register learning-hour credits.

Teachers see their own ledger, claims and transcripts; a school admin their
school's teachers; district staff and the district's system their district;
staff of a district center that district (they may be the responsible center
of claims), and staff of any center the claims they are responsible for; the
bureau everything. Nobody changes or deletes a ledger entry: a reversal is an
``add``."""

from django.db.models import Q

from centers.models import Center
from core.permissions import ALL, rules
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

# Teachers' credits as a whole (completion, progress, the at-risk list):
# ``view_credits`` reaches the teachers whose ledger the user reads (centers'
# own rule lets center staff see every teacher; the credit scope is
# narrower). ``follow_credits`` is for people who follow other teachers'
# progress, on teachers, schools and whole districts; a teacher follows their
# own on "my hours".
_center_teachers = _center_districts("")


def _center_district_pks(user, center_ids):
    return Q(
        pk__in=Center.objects.filter(pk__in=center_ids, district__isnull=False).values(
            "district_id"
        )
    )


rules.register(
    "centers.teacher",
    {
        Role.BUREAU: ("view_credits follow_credits", ALL),
        Role.DISTRICT_STAFF: ("view_credits follow_credits", "district"),
        Role.DISTRICT_SYSTEM: ("view_credits", "district"),
        Role.CENTER_STAFF: ("view_credits follow_credits", _center_teachers),
        Role.SCHOOL_ADMIN: ("view_credits follow_credits", "school"),
        Role.TEACHER: ("view_credits", "pk"),
    },
    actions=("view_credits", "follow_credits"),
)
# Who may award hours on the page (district staff, their district's
# teachers) and register a claim for another teacher (a school admin, their
# school's teachers).
rules.register(
    "centers.teacher",
    {
        Role.DISTRICT_STAFF: ("award_credits", "district"),
        Role.SCHOOL_ADMIN: ("claim_for", "school"),
    },
    actions=("award_credits", "claim_for"),
)
rules.register(
    "centers.school",
    {
        Role.BUREAU: ("follow_credits", ALL),
        Role.DISTRICT_STAFF: ("follow_credits", "district"),
        Role.CENTER_STAFF: ("follow_credits", _center_districts("")),
        Role.SCHOOL_ADMIN: ("follow_credits", "pk"),
    },
    actions=("follow_credits",),
)
rules.register(
    "centers.district",
    {
        Role.BUREAU: ("follow_credits", ALL),
        Role.DISTRICT_STAFF: ("follow_credits", "pk"),
        Role.CENTER_STAFF: ("follow_credits", _center_district_pks),
        Role.DISTRICT_SYSTEM: ("sync_credits", "pk"),
    },
    actions=("follow_credits", "sync_credits"),
)
