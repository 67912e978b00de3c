"""The roles people hold in the federation (DOMAIN.md, "Who uses it")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU = "bureau", _("Bureau official")
    SECRETARIAT = "secretariat", _("Alliance secretariat")
    CENTER_STAFF = "center_staff", _("Center staff")
    DISTRICT_STAFF = "district_staff", _("District staff")
    SCHOOL_ADMIN = "school_admin", _("School admin")
    TEACHER = "teacher", _("Teacher")
    VENDOR = "vendor", _("Vendor staff")
    DISTRICT_SYSTEM = "district_system", _("District system (API client)")


# Which kind of organisation each role's membership points at ("app_label.model").
# None: the role holds across the whole federation.
ROLE_ORGANISATION = {
    Role.BUREAU: None,
    Role.SECRETARIAT: "centers.center",
    Role.CENTER_STAFF: "centers.center",
    Role.DISTRICT_STAFF: "centers.district",
    Role.SCHOOL_ADMIN: "centers.school",
    Role.TEACHER: "centers.teacher",
    Role.VENDOR: "centers.vendor",
    Role.DISTRICT_SYSTEM: "centers.district",
}
