"""Who may see or change studio records.

- The bureau sees every studio, decides selections and makes the cycle
  evaluation.
- Staff of the managing center (``Studio.managing_center``) manage the
  studios routed to their center: people, selection reviews, plans, tasks,
  activities, mentoring, outputs and the annual evaluation.
- The scheme, criteria and mentoring rules are data the bureau keeps and the
  centers read.
"""

from core.permissions import ALL, rules
from core.roles import Role

# What one may do with a studio and its records, asked of ``Studio`` with
# ``restrict(user, action)``: record its work (activities, mentoring, outputs,
# draft plans), manage it (people, rounds, tasks, approving plans), review
# applications, make the annual evaluation, decide (selection, cycle evaluation).
RECORD = "change"
MANAGE = "change"
REVIEW = "change"
EVALUATE = "change"
DECIDE = "change"
#: The role a studio host holds in their studio (registered with the roles).
HOST_ROLE = None


def host_teacher(user):
    """The teacher record of a signed-in user (a host, member or applicant)."""
    from centers.models import Teacher

    if not user.is_authenticated:
        return None
    return Teacher.objects.filter(user=user).first()


MANAGE = "view add change delete"
CENTER = "studio__managing_center"

rules.register(
    "studios.studio",
    {
        Role.BUREAU: ("view add change", ALL),
        Role.CENTER_STAFF: ("view change", "managing_center"),
    },
)
for label in (
    "studios.studioperson",
    "studios.selectionround",
    "studios.plan",
    "studios.studiotask",
    "studios.activity",
    "studios.output",
    "studios.mentoringpair",
):
    rules.register(
        label, {Role.BUREAU: ("view add change", ALL), Role.CENTER_STAFF: (MANAGE, CENTER)}
    )
rules.register(
    "studios.application",
    {
        Role.BUREAU: ("view change", ALL),
        Role.CENTER_STAFF: ("view add change", "round__studio__managing_center"),
    },
)
rules.register(
    "studios.evaluation",
    {Role.BUREAU: ("view add change", ALL), Role.CENTER_STAFF: ("view add change", CENTER)},
)
for label in ("studios.evaluationscheme", "studios.criterion", "studios.mentoringrule"):
    rules.register(label, {Role.BUREAU: (MANAGE, ALL), Role.CENTER_STAFF: ("view", ALL)})
