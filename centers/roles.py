"""The roles whose memberships point at centers' organisations."""

from django.utils.translation import gettext_lazy as _

from core.roles import roles

roles.register(
    "center_staff",
    _("Center staff"),
    organisation="centers.center",
    home_title=_("Center workspace"),
    order=30,
)
roles.register(
    "district_staff",
    _("District staff"),
    organisation="centers.district",
    home_title=_("District workspace"),
    order=40,
)
roles.register(
    "school_admin",
    _("School admin"),
    organisation="centers.school",
    home_title=_("School workspace"),
    order=50,
)
roles.register(
    "vendor",
    _("Vendor staff"),
    organisation="centers.vendor",
    home_title=_("Vendor workspace"),
    order=60,
)
roles.register(
    "teacher",
    _("Teacher"),
    organisation="centers.teacher",
    home_title=_("My learning"),
    order=70,
)
roles.register(
    "district_system",
    _("District system (API client)"),
    organisation="centers.district",
    home_title=_("District system"),
    order=80,
    api_client=True,
)
