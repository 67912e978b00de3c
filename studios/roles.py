"""The roles a studio gives its people: a membership of one of them points at
the studio (``organisation_id`` = the studio's id). ``services.add_person``
grants the role of a teacher's place when the teacher has an account, and
``end_person`` ends it."""

from django.utils.translation import gettext_lazy as _

from core.roles import roles

roles.register(
    "studio_host",
    _("Studio host"),
    organisation="studios.studio",
    home_title=_("My studio"),
    order=62,
)
roles.register(
    "studio_member",
    _("Studio member"),
    organisation="studios.studio",
    home_title=_("My studio"),
    order=64,
)
roles.register(
    "studio_learner",
    _("Studio network learner"),
    organisation="studios.studio",
    home_title=_("My studio"),
    order=66,
)
