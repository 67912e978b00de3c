"""Who may see and change the federation's organisations and people."""

from django.db.models import Q

from core.permissions import ALL, rules
from core.roles import Role

# Every role reads the federation's districts, centers and mandates but the
# vendor's: a training vendor sees the sub-projects it won, and nothing else
# (DOMAIN.md, "Who uses it").
_FEDERATION_READERS = [role for role in Role if role != Role.VENDOR]

rules.register(
    "centers.district",
    dict.fromkeys(_FEDERATION_READERS, ("view", ALL)) | {Role.BUREAU: ("view add change", ALL)},
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
rules.register("centers.staffstatuschange", _center_rules("staff__center"))


# --- Actions beyond view/add/change/delete ------------------------------------
#
# Whole ID numbers (身份证号) are masked everywhere (pages, API, exports). The
# bureau, and district staff of the teacher's own district, may have one
# shown whole through an explicit "reveal_id" action, and every showing is
# audited (AuditAction.SENSITIVE_VIEW). Nobody else ever sees it: not center
# staff, school admins, district systems (they send ID numbers, they do not
# read them back), vendors, nor the teacher through the API or exports.
rules.register(
    "centers.teacher",
    {Role.BUREAU: ("reveal_id", ALL), Role.DISTRICT_STAFF: ("reveal_id", "district")},
    actions=("reveal_id",),
)
# A teacher's own record ("self"): my hours, my claims, my training.
rules.register("centers.teacher", {Role.TEACHER: ("self", "pk")}, actions=("self",))

# Centers' standards: the bureau and the alliance secretariat see every
# center's, center staff their own center's, district staff their district's
# center's ("standards"); the all-centers matrix is the bureau's and the
# secretariat's ("matrix"). Staff, facilities and their records are kept
# ("keep") by the bureau, the center's staff and its district's staff.
rules.register(
    "centers.center",
    {
        Role.BUREAU: ("standards matrix keep", ALL),
        Role.SECRETARIAT: ("standards matrix", ALL),
        Role.CENTER_STAFF: ("standards keep", "pk"),
        Role.DISTRICT_STAFF: ("standards keep", "district"),
    },
    actions=("standards", "matrix", "keep"),
)

# Imports and district sync write rows into districts and schools: the same
# reach as the add/change rules above ("import_into").
rules.register(
    "centers.district",
    {
        Role.BUREAU: ("import_into", ALL),
        Role.DISTRICT_STAFF: ("import_into", "pk"),
        Role.DISTRICT_SYSTEM: ("import_into", "pk"),
    },
    actions=("import_into",),
)
rules.register(
    "centers.school",
    {
        Role.BUREAU: ("import_into", ALL),
        Role.DISTRICT_STAFF: ("import_into", "district"),
        Role.DISTRICT_SYSTEM: ("import_into", "district"),
        Role.SCHOOL_ADMIN: ("import_into", "pk"),
    },
    actions=("import_into",),
)


rules.register(
    "centers.mandate",
    dict.fromkeys(_FEDERATION_READERS, ("view", ALL))
    | {Role.BUREAU: ("view add change delete", ALL)},
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


# District staff manage the API tokens of their district's systems: the
# memberships whose tokens they issue, and the tokens themselves.
def _district_systems(user, ids):
    return Q(membership__role=Role.DISTRICT_SYSTEM, membership__organisation_id__in=ids)


rules.register(
    "core.membership",
    {Role.DISTRICT_STAFF: ("manage_tokens", lambda user, ids: Q(organisation_id__in=ids))},
)
rules.register("core.apitoken", {Role.DISTRICT_STAFF: ("view add delete", _district_systems)})

# 互聘 (charter 001 第八条（四）): an appointment of a trainer of one member
# center by another. Both centers' staff see it (the appointing center and the
# trainer's home center), their districts' staff too, the bureau and the
# secretariat all. The appointing center's staff enter one ("appoint_for" on
# the appointing center) and the home center's staff confirm or decline it
# ("confirm_for" on the home center); the secretariat, which runs the
# alliance's daily management, may do both for any member, and what it
# records is confirmed at once.
rules.register(
    "centers.staffappointment",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view", ("center", "staff__center")),
        Role.DISTRICT_STAFF: ("view", ("center__district", "staff__center__district")),
    },
)
rules.register(
    "centers.center",
    {
        Role.SECRETARIAT: ("appoint_for confirm_for", ALL),
        Role.CENTER_STAFF: ("appoint_for confirm_for", "pk"),
    },
    actions=("appoint_for", "confirm_for"),
)
# Whom a center may appoint: the trainers of every member center (互聘 shares
# the alliance's faculty), so the picker of the appointing center's staff and of
# the secretariat lists them; seeing a trainer's record stays "view" above.
# Not only those listed in the alliance's faculty-sharing register
# (alliance.SharedFaculty): the charter's one condition is the standard
# (研训师资须符合市级教师发展中心认定标准,在此基础上……互聘互用), which
# ``services.appoint`` checks; it names no register to go through.
rules.register(
    "centers.staffmember",
    {Role.SECRETARIAT: ("appoint", ALL), Role.CENTER_STAFF: ("appoint", ALL)},
    actions=("appoint",),
)
