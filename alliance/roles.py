"""The alliance's own role: its secretariat, held at the chair center."""

from django.utils.translation import gettext_lazy as _

from core.roles import roles

roles.register(
    "secretariat",
    _("Alliance secretariat"),
    organisation="centers.center",
    home_title=_("Alliance secretariat"),
    order=20,
)
