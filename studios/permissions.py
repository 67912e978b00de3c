"""Who may see or change studio records.

- The bureau sees every studio and its records, decides selections
  (``decide``) and makes the cycle evaluation.
- Staff of the managing center (``Studio.managing_center``) manage the
  studios routed to their center: people, selection rounds and the review of
  applications, tasks, approving plans, and the annual evaluation; they may
  record a studio's work as well.
- A studio's host (``studio_host``, a membership pointing at the studio) sees
  only their own studio and records its work: activities with attendance,
  mentoring pairs, outputs, draft plans. Members and network learners see
  their own studio.
- Teachers read the selection rounds (calls for applications) and apply for
  themselves; the scheme, criteria and mentoring rules are data the bureau
  keeps and everyone concerned reads.

What one may do with a studio's records is asked of the studio itself with
the studio-level actions below (``Studio.objects.restrict(user, RECORD)``),
so a page or service adding an activity to a studio checks the studio.
"""

from core.permissions import ALL, rules
from core.roles import Role

RECORD = "record"  # activities, attendance, mentoring, outputs, draft plans
MANAGE = "manage"  # people, rounds, tasks, approving or returning plans
REVIEW = "review"  # the managing center's review of applications
EVALUATE = "evaluate"  # the annual evaluation
DECIDE = "decide"  # the bureau: selection decisions, publishing, the cycle evaluation
STUDIO_ACTIONS = (RECORD, MANAGE, REVIEW, EVALUATE, DECIDE)

#: The role a studio host holds in their studio.
HOST_ROLE = "studio_host"
#: The studio role of each place (``PersonRole``).
PLACE_ROLES = {"host": "studio_host", "member": "studio_member", "learner": "studio_learner"}

CENTER = "studio__managing_center"
KEEP = "view add change delete"
PEOPLE = (Role.STUDIO_HOST, Role.STUDIO_MEMBER, Role.STUDIO_LEARNER)


def host_teacher(user):
    """The teacher record of a signed-in user (a host, member or applicant)."""
    from centers.models import Teacher

    if not user.is_authenticated:
        return None
    return Teacher.objects.filter(user=user).first()


rules.register(
    "studios.studio",
    {
        Role.BUREAU: {"view add change decide": ALL},
        Role.CENTER_STAFF: {"view change record manage review evaluate": "managing_center"},
        Role.STUDIO_HOST: {"view record": "pk"},
        Role.STUDIO_MEMBER: {"view": "pk"},
        Role.STUDIO_LEARNER: {"view": "pk"},
    },
    actions=STUDIO_ACTIONS,
)
# The studio's work: the host records it, its people read it.
for label in ("studios.activity", "studios.mentoringpair", "studios.output", "studios.plan"):
    rules.register(
        label,
        {
            Role.BUREAU: {"view": ALL},
            Role.CENTER_STAFF: {KEEP: CENTER},
            Role.STUDIO_HOST: {"view add change": "studio"},
            Role.STUDIO_MEMBER: {"view": "studio"},
            Role.STUDIO_LEARNER: {"view": "studio"},
        },
    )
# What the managing center keeps: people and tasks.
for label in ("studios.studioperson", "studios.studiotask"):
    rules.register(
        label,
        {
            Role.BUREAU: {"view": ALL},
            Role.CENTER_STAFF: {KEEP: CENTER},
            **{role: {"view": "studio"} for role in PEOPLE},
        },
    )
rules.register(
    "studios.selectionround",
    {
        Role.BUREAU: {"view change": ALL},
        Role.CENTER_STAFF: {KEEP: CENTER},
        Role.STUDIO_HOST: {"view": "studio"},
        Role.TEACHER: {"view": ALL},  # a call for applications is public to teachers
    },
)
rules.register(
    "studios.application",
    {
        Role.BUREAU: {"view change": ALL},
        Role.CENTER_STAFF: {"view add change": "round__studio__managing_center"},
        Role.TEACHER: {"view add": "teacher"},  # their own
    },
)
rules.register(
    "studios.evaluation",
    {
        Role.BUREAU: {"view add change": ALL},
        Role.CENTER_STAFF: {"view add change": CENTER},
        Role.STUDIO_HOST: {"view": "studio"},
    },
)
for label in ("studios.evaluationscheme", "studios.criterion", "studios.mentoringrule"):
    rules.register(
        label,
        {
            Role.BUREAU: {KEEP: ALL},
            Role.CENTER_STAFF: {"view": ALL},
            Role.STUDIO_HOST: {"view": ALL},
        },
    )
