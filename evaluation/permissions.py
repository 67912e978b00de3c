"""Who may see and run evaluations.

The bureau sees every survey; a center's staff keep the surveys of their
center (and of the sub-projects it runs); a district's staff read the
surveys of sub-projects open to their district; a vendor reads the surveys
of the sub-projects it teaches (its own evaluation); a teacher sees the
surveys they are invited to, and answers through their invitation."""

from django.db.models import Q

from core.permissions import ALL, rules
from core.roles import Role


def _invited(user, ids):
    from .models import Invitation

    return Q(pk__in=Invitation.objects.filter(user_id=user.pk).values("survey_id"))


def _district_surveys(user, district_ids):
    from training.models import Quota

    return Q(subproject__district__in=district_ids) | Q(
        subproject__in=Quota.objects.filter(district__in=district_ids).values("subproject_id")
    )


def _own(user, ids):
    return Q(user_id=user.pk)


rules.register(
    "evaluation.survey",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.SECRETARIAT: ("view", ALL),
        Role.CENTER_STAFF: ("view add change", ("center", "subproject__center")),
        Role.DISTRICT_STAFF: ("view", _district_surveys),
        Role.VENDOR: ("view", "subproject__vendor"),
        Role.TEACHER: ("view", _invited),
    },
)

rules.register(
    "evaluation.invitation",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view", ("survey__center", "survey__subproject__center")),
        # A teacher answers through their own invitation ("change": use it).
        Role.TEACHER: ("view change", _own),
    },
)


# Supervision (督导): the center that runs the sub-project records visits and
# findings; the bureau sees and records all; the vendor reads the visits of
# its own sub-projects and replies to their findings ("reply").
rules.register(
    "evaluation.supervisionvisit",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.CENTER_STAFF: ("view add change", "subproject__center"),
        Role.VENDOR: ("view", "subproject__vendor"),
    },
)

rules.register(
    "evaluation.finding",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.CENTER_STAFF: ("view add change", "visit__subproject__center"),
        Role.VENDOR: ("view reply", "visit__subproject__vendor"),
    },
    actions=("reply",),
)

# Project performance: stage checklists kept by the center (and bureau); the
# project score read by them and by the vendor for its own sub-projects.
rules.register(
    "evaluation.stagecheck",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.CENTER_STAFF: ("view add change", "subproject__center"),
        Role.VENDOR: ("view", "subproject__vendor"),
    },
)

rules.register(
    "evaluation.projectscore",
    {
        Role.BUREAU: ("view", ALL),
        Role.CENTER_STAFF: ("view", "subproject__center"),
        Role.VENDOR: ("view", "subproject__vendor"),
    },
)


# Principals' end-of-term evaluation: run by the district (its own schools'
# principals), read by the bureau city-wide.
rules.register(
    "evaluation.campaign",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.DISTRICT_STAFF: ("view add change", "district"),
    },
)

rules.register(
    "evaluation.appraisee",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.DISTRICT_STAFF: ("view add change", "campaign__district"),
    },
)

# A rater link is the right to rate once: its token is shown to whoever may
# change the principal's campaign (the QR sheet, the API), never to a reader.
rules.register(
    "evaluation.ratertoken",
    {
        Role.BUREAU: ("view add change delete", ALL),
        Role.DISTRICT_STAFF: ("view add change delete", "appraisee__campaign__district"),
    },
)
