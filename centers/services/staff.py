"""Research staff: the entry conditions of 003 (新补充教研员应具有下列条件),
inactivity, and whether someone may be listed as a qualified trainer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import DEGREE_RANK, HONOUR_RANK, TITLE_RANK, Degree, Honour, Title

# --- Research-staff entry conditions (003: 新补充教研员应具有下列条件) --------
#
# 中小学一级教师及以上职称, 县级学科带头人及以上荣誉, 本科学历, 在教学第一线
# 工作6年及以上, 年龄45周岁左右. "条件可适当放宽" for 特级教师, 市级及以上名师
# 名校长 or 学科带头人, or a postgraduate degree: for them the honour and the age
# conditions are waived (title, degree and years still apply).

ENTRY_MIN_TITLE = Title.FIRST
ENTRY_MIN_HONOUR = Honour.DISTRICT_LEADER
ENTRY_MIN_DEGREE = Degree.BACHELOR
ENTRY_MIN_YEARS_TEACHING = 6
#: "45周岁左右": 45 with the "about" read as up to 46 at the hiring date.
ENTRY_MAX_AGE = 46
#: Honours and degrees that relax the conditions.
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
        HONOUR_RANK.get(staff.honour, 0) >= HONOUR_RANK[RELAXING_HONOUR]
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
            relaxed or HONOUR_RANK.get(staff.honour, 0) >= HONOUR_RANK[ENTRY_MIN_HONOUR],
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


def staff_meets_standard(staff, *, today: date | None = None) -> bool:
    """May this staff member be listed as a qualified trainer (the alliance's
    faculty-sharing register)? Active, not inactive for two years, and meeting
    the research-staff entry conditions. Uses ``year_records`` when prefetched
    (no query), else one query."""
    if not staff.is_active or staff.left_on is not None:
        return False
    if is_inactive(staff, today=today):
        return False
    return meets_entry_conditions(staff)
