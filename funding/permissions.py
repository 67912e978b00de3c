"""Who may see and move money.

The bureau keeps every line and records allocations and payments; the
secretariat reads everything. A center's staff see and keep the lines their
center holds; district staff the lines of their district (its own and its
schools'), and a district system reads them and posts the district's budget
figures; a school admin sees the school's lines. Nobody changes or deletes
an allocation or a payment: a reversal is an ``add``.
"""

from core.permissions import ALL, rules
from core.roles import Role

rules.register(
    "funding.budgetline",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", "center"),
        Role.DISTRICT_STAFF: ("view add change", "district"),
        Role.DISTRICT_SYSTEM: ("view", "district"),
        Role.SCHOOL_ADMIN: ("view", "school"),
    },
)
for model, prefix in (("allocation", "line__"), ("disbursement", "allocation__line__")):
    rules.register(
        f"funding.{model}",
        {
            Role.BUREAU: ("view add", ALL),
            Role.SECRETARIAT: ("view", ALL),
            Role.CENTER_STAFF: ("view add", f"{prefix}center"),
            Role.DISTRICT_STAFF: ("view add", f"{prefix}district"),
            Role.DISTRICT_SYSTEM: ("view", f"{prefix}district"),
            Role.SCHOOL_ADMIN: ("view", f"{prefix}school"),
        },
    )
rules.register(
    "funding.budgetfigure",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.DISTRICT_STAFF: ("view add change", "district"),
        Role.DISTRICT_SYSTEM: ("view", "district"),
        Role.SCHOOL_ADMIN: ("view", "school"),
    },
)
rules.register(
    "funding.policyrule",
    {
        Role.BUREAU: ("view add change", ALL),
        **dict.fromkeys(
            (Role.SECRETARIAT, Role.CENTER_STAFF, Role.DISTRICT_STAFF, Role.SCHOOL_ADMIN),
            ("view", ALL),
        ),
    },
)
# A holder's budget book: whose book each role may open.
rules.register(
    "centers.district",
    {
        Role.BUREAU: ("funding_book", ALL),
        Role.SECRETARIAT: ("funding_book", ALL),
        Role.DISTRICT_STAFF: ("funding_book", "pk"),
        Role.DISTRICT_SYSTEM: ("sync_budget funding_book", "pk"),
    },
    actions=("sync_budget", "funding_book"),
)
rules.register(
    "centers.school",
    {
        Role.BUREAU: ("funding_book", ALL),
        Role.SECRETARIAT: ("funding_book", ALL),
        Role.DISTRICT_STAFF: ("funding_book", "district"),
        Role.SCHOOL_ADMIN: ("funding_book", "pk"),
    },
    actions=("funding_book",),
)
rules.register(
    "centers.center",
    {
        Role.BUREAU: ("funding_book", ALL),
        Role.SECRETARIAT: ("funding_book", ALL),
        Role.CENTER_STAFF: ("funding_book", "pk"),
    },
    actions=("funding_book",),
)
