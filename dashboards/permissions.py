"""Who reads the monthly snapshots: the bureau every row (the city's and
each district's), a district's staff their district's rows."""

from core.permissions import ALL, rules
from core.roles import Role

rules.register(
    "dashboards.monthlysnapshot",
    {
        Role.BUREAU: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", "district"),
    },
)
