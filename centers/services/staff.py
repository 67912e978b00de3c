"""Research staff: the entry conditions of 003 (新补充教研员应具有下列条件),
inactivity, and whether someone may be listed as a qualified trainer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import DEGREE_RANK, TITLE_RANK, Degree, Honour, Title

# --- Research-staff entry conditions (003: 新补充教研员应具有下列条件) --------
#
# 中小学一级教师及以上职称, 县级学科带头人及以上荣誉, 本科学历, 在教学第一线
# 工作6年及以上, 年龄45周岁左右. "对获得特级教师、市级及以上名师名校长、市级及以上
# 学科带头人、省中小学教师技能大赛二等奖及以上荣誉之一的或具有研究生学历的人员条件
# 可适当放宽": for them the honour and the age conditions are waived (title,
# degree and years still apply).
#
# "县级学科带头人及以上" is the 学科带头人 line and above: a 市级骨干教师 is a key
# teacher, not a subject leader, and does not meet it.

ENTRY_MIN_TITLE = Title.FIRST
ENTRY_MIN_HONOUR = Honour.DISTRICT_LEADER
#: Honours meeting "县级学科带头人及以上荣誉".
ENTRY_HONOURS = frozenset(
    {
        Honour.DISTRICT_LEADER,
        Honour.MUNICIPAL_LEADER,
        Honour.SKILLS_PRIZE,
        Honour.FAMOUS,
        Honour.SPECIAL_GRADE,
    }
)
#: Honours that relax the conditions (条件可适当放宽).
RELAXING_HONOURS = frozenset(
    {Honour.MUNICIPAL_LEADER, Honour.SKILLS_PRIZE, Honour.FAMOUS, Honour.SPECIAL_GRADE}
)
ENTRY_MIN_DEGREE = Degree.BACHELOR
ENTRY_MIN_YEARS_TEACHING = 6
#: "45周岁左右": 45 with the "about" read as up to 46 at the hiring date.
ENTRY_MAX_AGE = 46
#: Kept for callers: the lowest relaxing honour of the 学科带头人 line.
RELAXING_HONOUR = Honour.MUNICIPAL_LEADER
RELAXING_DEGREE = Degree.MASTER
#: "两年以上未参与教研或培训工作的要调离": inactive this many school years.
INACTIVE_YEARS = 2


@dataclass(frozen=True)
class Condition:
    code: str
    label: str
    met: bool


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def relaxed_entry(staff) -> bool:
    """Distinguished candidates for whom 003 relaxes the conditions."""
    return (
        staff.honour in RELAXING_HONOURS
        or DEGREE_RANK.get(staff.degree, 0) >= DEGREE_RANK[RELAXING_DEGREE]
    )


def entry_conditions(staff) -> list[Condition]:
    """Each research-staff entry condition and whether ``staff`` meets it.
    The age is taken at the hiring date (today when not hired yet)."""
    relaxed = relaxed_entry(staff)
    age = age_on(staff.date_of_birth, staff.hired_on or timezone.localdate())
    return [
        Condition(
            "title",
            _("Title first grade or above"),
            TITLE_RANK.get(staff.title, 0) >= TITLE_RANK[ENTRY_MIN_TITLE],
        ),
        Condition(
            "honour",
            _("County (district) subject leader or above"),
            relaxed or staff.honour in ENTRY_HONOURS,
        ),
        Condition(
            "degree",
            _("Bachelor's degree or above"),
            DEGREE_RANK.get(staff.degree, 0) >= DEGREE_RANK[ENTRY_MIN_DEGREE],
        ),
        Condition(
            "years",
            _("Six or more years teaching"),
            (staff.years_teaching or 0) >= ENTRY_MIN_YEARS_TEACHING,
        ),
        Condition(
            "age",
            _("About 45 years old or younger when hired"),
            relaxed or (age is not None and age <= ENTRY_MAX_AGE),
        ),
    ]


def meets_entry_conditions(staff) -> bool:
    return all(c.met for c in entry_conditions(staff))


def _records(staff):
    cache = getattr(staff, "_prefetched_objects_cache", {})
    if "year_records" in cache:
        return list(cache["year_records"])
    return list(staff.year_records.all())


def current_school_year(day: date | None = None) -> int:
    """The school year (by its starting year) ``day`` falls in: from 1 September."""
    day = day or timezone.localdate()
    return day.year if day.month >= 9 else day.year - 1


def is_inactive(staff, *, today: date | None = None) -> bool:
    """No research or training work in the last ``INACTIVE_YEARS`` completed
    school years (003: 两年以上未参与教研或培训工作). Someone hired within
    that window is not judged yet."""
    this_year = current_school_year(today)
    window = range(this_year - INACTIVE_YEARS, this_year)
    if staff.hired_on and current_school_year(staff.hired_on) >= window.start:
        return False
    return not any(r.took_part and r.year in window for r in _records(staff))


# --- The municipal accreditation standard for shared trainers ---------------
#
# 001 第八条: 各成员单位研训师资须符合市级教师发展中心认定标准 — the faculty
# register applies the trainer figures of the centers' accreditation standard
# (中高级职称: 一级 or above; still taking part: not idle for two years), not
# the conditions for newly recruited research staff (age, honour, years).

TRAINER_MIN_TITLE = Title.FIRST


def trainer_conditions(staff, *, today: date | None = None) -> list[Condition]:
    """Each condition of the municipal accreditation standard for a trainer
    listed for sharing, and whether ``staff`` meets it."""
    return [
        Condition(
            "active",
            _("Active at the center"),
            bool(staff.is_active and staff.left_on is None),
        ),
        Condition(
            "took_part",
            _("Took part in research or training in the last two years"),
            not is_inactive(staff, today=today),
        ),
        Condition(
            "title",
            _("Senior or intermediate title (first grade or above)"),
            TITLE_RANK.get(staff.title, 0) >= TITLE_RANK[TRAINER_MIN_TITLE],
        ),
    ]


def staff_meets_standard(staff, *, today: date | None = None) -> bool:
    """May this staff member be listed as a qualified trainer (the alliance's
    faculty-sharing register)? The municipal accreditation standard
    (``trainer_conditions``). Uses ``year_records`` when prefetched (no
    query), else one query."""
    return all(c.met for c in trainer_conditions(staff, today=today))


def standard_shortfall(staff, *, today: date | None = None) -> str:
    """What keeps ``staff`` from the municipal accreditation standard, for a
    refusal's message ("" when it is met): the one rule both records of 互聘
    apply (``appoint`` here, the alliance's faculty register and its
    engagements), so they name the same thing."""
    if staff_meets_standard(staff, today=today):
        return ""
    if not staff.is_active or staff.left_on is not None:
        return str(_("no longer active at the center"))
    if is_inactive(staff, today=today):
        return str(_("no research or training work for two years"))
    return "、".join(str(c.label) for c in trainer_conditions(staff, today=today) if not c.met)


# --- Moving out staff inactive for two years (调离) ----------------------------

MOVED_OUT_REASON = "两年以上未参与教研或培训工作（《关于进一步加强区教师进修学校建设的实施意见》）"


def record_status_change(staff, *, kind, changed_on: date, reason: str, user=None):
    """Record a change of a staff member's status with its date and reason;
    moving out ends the employment (``left_on``, not active), a return
    reopens it. One transaction."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from ..models import StaffStatusChange, StatusChangeKind

    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    with transaction.atomic():
        change = StaffStatusChange.objects.create(
            staff=staff, kind=kind, changed_on=changed_on, reason=reason.strip(), recorded_by=user
        )
        if kind == StatusChangeKind.MOVED_OUT:
            staff.is_active = False
            staff.left_on = changed_on
        else:
            staff.is_active = True
            staff.left_on = None
        staff.save(update_fields=["is_active", "left_on", "updated_at"])
    return change


def move_out_inactive(center, *, user=None, today: date | None = None) -> list:
    """003: 两年以上未参与教研或培训工作的要调离教师进修学校 — move every active
    staff member of ``center`` who is inactive for two years out of it, each
    with a recorded change (date, reason). Returns the changes."""
    from django.db import transaction
    from django.db.models import Prefetch

    from ..models import StaffMember, StaffYearRecord, StatusChangeKind

    today = today or timezone.localdate()
    staff = StaffMember.objects.filter(
        center=center, is_active=True, left_on__isnull=True
    ).prefetch_related(Prefetch("year_records", queryset=StaffYearRecord.objects.order_by("year")))
    changes = []
    with transaction.atomic():
        for member in staff:
            if is_inactive(member, today=today):
                changes.append(
                    record_status_change(
                        member,
                        kind=StatusChangeKind.MOVED_OUT,
                        changed_on=today,
                        reason=MOVED_OUT_REASON,
                        user=user,
                    )
                )
    return changes
