"""Who may see and change the federation's organisations and people."""

from core.permissions import ALL, rules
from core.roles import Role

rules.register("centers.district", dict.fromkeys(Role, ("view", ALL)))

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
