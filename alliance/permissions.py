"""Who may see or change the alliance's records.

- The bureau reads everything; it receives (or returns) the filed plan and
  report through the workflow in ``services``, not by editing.
- The secretariat (``Role.SECRETARIAT``: the chair center's staff for the
  term, granted by ``services.sync_secretariat``) keeps the council records,
  the rotation, plans and reports, meetings, statistics and the shared
  registers.
- Staff of member centers read the alliance's records, report their own
  center's results, book shared rooms and list their own trainers for their
  own center; they see the whole booking schedule and faculty register
  ("see all, change own"), and comment on plans and reports.
- Council resolutions: the secretariat records them and assigns their
  follow-up actions; the owner center's staff report on their own actions
  (status and report only, ``services.check_follow_up``).
- Joint projects: the secretariat records them; the lead center's staff
  keep their own project up to date (not its lead, ``services.check_project``).
- Paired assistance: the secretariat pairs a member center with a district
  center; the helping center's staff keep the pair and record its
  activities; the assisted district's staff read their own pairs.
- Proposals to the bureau (事业发展建议): a member center's staff draft and
  submit their own center's; the secretariat drafts the council's, and
  forwards or returns what was submitted; the bureau answers what was
  forwarded. Once submitted, every member and the bureau read it.
- Guidance visits of district centers (业务指导): a member center's staff
  record their own center's visits; every member sees them; the visited
  district's staff read theirs and report on the follow-up only
  (``services.check_visit``).
- The centers' own plans (五年规划 / 年度计划): a member center's staff draft,
  file and report on their own; the secretariat records or returns what was
  filed; members and the bureau read filed plans.
- Cross-center engagements (互聘) of listed trainers: the engaging center's
  staff record their own; every member reads them.
- Teacher-development schools (教师发展学校建设): the guiding member center's
  staff record their own; every member reads them; the district center
  building one reads its own and reports the progress only.
- District staff read the council, meetings, resolutions and resources; teachers and
  school admins the digital-resource catalogue; nobody else anything.
"""

from django.db.models import Q

from core.permissions import ALL, rules
from core.roles import Role

KEEP = "view add change delete"

rules.register(
    "alliance.councilmember",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: ("view add change", ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
    },
)
rules.register(
    "alliance.chairterm",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: ("view add change", ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
    },
)
for label in ("alliance.workdocument", "alliance.documentversion", "alliance.documentstep"):
    rules.register(
        label,
        {
            Role.BUREAU: ("view", ALL),
            Role.SECRETARIAT: ("view add change", ALL),
            Role.CENTER_STAFF: ("view", ALL),
        },
    )
rules.register(
    "alliance.documentcomment",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: ("view add", ALL),
        Role.CENTER_STAFF: ("view add", ALL),
    },
)
rules.register(
    "alliance.meeting",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
    },
)
rules.register(
    "alliance.resolution",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
    },
)
rules.register(
    "alliance.followup",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        # every member sees who owes what; the owner center reports on its own
        Role.CENTER_STAFF: {"view": ALL, "change": "center"},
    },
)
rules.register(
    "alliance.jointproject",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        # every member sees the projects; the lead center keeps its own
        Role.CENTER_STAFF: {"view": ALL, "change": "lead_center"},
    },
)
rules.register(
    "alliance.assistancepair",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        # members see every pair; the helping center keeps its own pairs
        Role.CENTER_STAFF: {"view": ALL, "change": "helper_center"},
        Role.DISTRICT_STAFF: ("view", "assisted_center__district"),
    },
)
rules.register(
    "alliance.assistanceactivity",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        Role.CENTER_STAFF: {"view": ALL, "add change delete": "pair__helper_center"},
        Role.DISTRICT_STAFF: ("view", "pair__assisted_center__district"),
    },
)
rules.register(
    "alliance.achievement",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        Role.CENTER_STAFF: ("view add change", "center"),
    },
)
rules.register(
    "alliance.booking",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: ("view add change", ALL),
        # see every member's bookings (a shared schedule), change their own
        Role.CENTER_STAFF: {"view": ALL, "add change": "center"},
    },
)
rules.register(
    "alliance.sharedfaculty",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: ("view add change", ALL),
        Role.CENTER_STAFF: {"view": ALL, "add change": "staff__center"},
    },
)
rules.register(
    "alliance.digitalresource",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        Role.CENTER_STAFF: ("view", ALL),
        Role.DISTRICT_STAFF: ("view", ALL),
        Role.SCHOOL_ADMIN: ("view", ALL),
        Role.TEACHER: ("view", ALL),
    },
)

rules.register(
    "alliance.guidancevisit",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        Role.CENTER_STAFF: {"view": ALL, "add change delete": "center"},
        Role.DISTRICT_STAFF: ("view change", "district_center__district"),
    },
)

rules.register(
    "alliance.facultyengagement",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        # every member sees who is engaged where; the engaging center keeps its own
        Role.CENTER_STAFF: {"view": ALL, "add change delete": "center"},
    },
)

rules.register(
    "alliance.teacherdevelopmentschool",
    {
        Role.BUREAU: ("view", ALL),
        Role.SECRETARIAT: (KEEP, ALL),
        # every member sees the schools; the guiding center keeps its own
        Role.CENTER_STAFF: {"view": ALL, "add change": "guiding_center"},
        # the district center building it reads its own and reports progress
        Role.DISTRICT_STAFF: ("view change", "district_center__district"),
    },
)


def _plan_filed(user, org_ids):
    return ~Q(status="draft")


rules.register(
    "alliance.centerplan",
    {
        Role.BUREAU: ("view", _plan_filed),
        # the secretariat records (or returns) what the centers filed
        Role.SECRETARIAT: {"view approve": _plan_filed},
        # every member reads the others' filed plans; its staff keep their own
        Role.CENTER_STAFF: {"view": (_plan_filed, "center"), "add change file": "center"},
    },
    actions=("file", "approve"),
)


def _proposal_sent(user, org_ids):
    return ~Q(status="draft")


def _proposal_of_council(user, org_ids):
    return Q(origin="council")


def _proposal_of_own_center(user, org_ids):
    return Q(origin="center", center_id__in=org_ids)


rules.register(
    "alliance.proposal",
    {
        Role.BUREAU: {"view answer": _proposal_sent},
        # the secretariat drafts the council's own; forwards or returns any submitted
        Role.SECRETARIAT: {
            "view": (_proposal_sent, _proposal_of_council),
            "add change submit": _proposal_of_council,
            "forward": _proposal_sent,
        },
        # a center's staff draft and submit their own center's proposals
        Role.CENTER_STAFF: {
            "view": (_proposal_sent, _proposal_of_own_center),
            "add change submit": _proposal_of_own_center,
        },
    },
    actions=("submit", "forward", "answer"),
)

# The centers a user acts for in the alliance: results reported and council
# forms ("act_for": the bureau and the secretariat for every member, staff for
# their own center), comments on plans and reports ("comment_for": the
# secretariat for the chair center, staff for their own), shared rooms and
# faculty ("share_for": the secretariat for any member, staff for their own),
# a center's own proposals to the bureau ("propose_for": staff, their own).
rules.register(
    "centers.center",
    {
        Role.BUREAU: ("act_for", ALL),
        Role.SECRETARIAT: {"act_for share_for": ALL, "comment_for": "pk"},
        Role.CENTER_STAFF: ("act_for comment_for share_for propose_for", "pk"),
    },
    actions=("act_for", "comment_for", "share_for", "propose_for"),
)
