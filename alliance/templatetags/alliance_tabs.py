"""The alliance's tab bar: a tab per section, each behind its view
permission. Fourteen tabs do not fit one line on a laptop, so the sections of
two of the charter's sharing mechanisms (第八条) sit under one tab each on wide
screens: 共同完成工作任务 (guidance of district centers, teacher-development
schools, paired assistance) and the shared resources (rooms, faculty, digital
resources). Narrower screens show every tab on one line that scrolls sideways
(``.nav-scroll``; ``static/js/portal.js`` scrolls the active one into view)."""

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@dataclass(frozen=True)
class Tab:
    perm: str
    url: str
    label: str
    #: the page is this tab's when its URL name contains one of these
    names: tuple[str, ...]
    group: str = ""


JOINT_WORK = "joint"
SHARING = "sharing"
GROUPS = {JOINT_WORK: _("Joint work"), SHARING: _("Resource sharing")}

TABS = (
    Tab(
        "alliance.view_councilmember",
        "alliance:council",
        _("Council"),
        ("council", "member", "term"),
    ),
    Tab(
        "alliance.view_workdocument",
        "alliance:document-list",
        _("Plans and reports"),
        ("document", "version"),
    ),
    Tab("alliance.view_meeting", "alliance:meeting-list", _("Meetings and forums"), ("meeting",)),
    Tab(
        "alliance.view_resolution",
        "alliance:resolution-list",
        _("Resolutions"),
        ("resolution", "followup"),
    ),
    Tab("alliance.view_jointproject", "alliance:project-list", _("Joint projects"), ("project",)),
    Tab("alliance.view_proposal", "alliance:proposal-list", _("Proposals"), ("proposal",)),
    Tab("alliance.view_centerplan", "alliance:plan-list", _("Center plans"), ("plan-",)),
    Tab(
        "alliance.view_achievement",
        "alliance:achievement-list",
        _("Results statistics"),
        ("achievement", "results"),
    ),
    Tab(
        "alliance.view_guidancevisit",
        "alliance:guidance-list",
        _("Guidance of district centers"),
        ("guidance",),
        JOINT_WORK,
    ),
    Tab(
        "alliance.view_teacherdevelopmentschool",
        "alliance:devschool-list",
        _("Teacher-development schools"),
        ("devschool",),
        JOINT_WORK,
    ),
    Tab(
        "alliance.view_assistancepair",
        "alliance:pair-list",
        _("Paired assistance"),
        ("pair", "activity"),
        JOINT_WORK,
    ),
    Tab(
        "alliance.view_booking", "alliance:booking-list", _("Room bookings"), ("booking",), SHARING
    ),
    Tab(
        "alliance.view_sharedfaculty",
        "alliance:faculty-list",
        _("Shared faculty"),
        ("faculty", "engagement"),
        SHARING,
    ),
    Tab(
        "alliance.view_digitalresource",
        "alliance:resource-list",
        _("Digital resources"),
        ("resource",),
        SHARING,
    ),
)


def is_active(tab: Tab, url_name: str) -> bool:
    return any(name in url_name for name in tab.names)


@register.inclusion_tag("alliance/_tabs.html", takes_context=True)
def alliance_tabs(context):
    """The tabs the user may see, marked active for the current page, and the
    groups (with their tabs) that stand for them on wide screens."""
    request = context["request"]
    user = request.user
    match = request.resolver_match
    url_name = match.url_name if match else ""
    tabs = [
        {"tab": tab, "active": is_active(tab, url_name or "")}
        for tab in TABS
        if user.has_perm(tab.perm)
    ]
    groups = []
    for key, label in GROUPS.items():
        members = [t for t in tabs if t["tab"].group == key]
        if members:
            groups.append(
                {
                    "key": key,
                    "label": label,
                    "tabs": members,
                    "active": any(t["active"] for t in members),
                }
            )
    return {"tabs": tabs, "groups": groups}
