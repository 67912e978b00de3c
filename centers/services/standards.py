"""Standards: the rules a center is evaluated against, and the evaluation
(a fixed number of queries whatever the number of centers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .staff import _records, current_school_year, is_inactive, meets_entry_conditions


def ensure_standards():
    """The standards of ``standards_data`` exist (the data migration loads
    them too); existing rows are left as edited."""
    from ..models import Standard, StandardRule
    from ..standards_data import RULES, STANDARD_CODE, STANDARD_NAME, STANDARD_SOURCE

    standard, _created = Standard.objects.get_or_create(
        code=STANDARD_CODE, defaults={"name": STANDARD_NAME, "source": STANDARD_SOURCE}
    )
    for order, (code, description, metric, comparison, threshold) in enumerate(RULES, start=1):
        StandardRule.objects.get_or_create(
            standard=standard,
            code=code,
            defaults={
                "description": description,
                "metric": metric,
                "comparison": comparison,
                "threshold": Decimal(threshold),
                "order": order,
            },
        )
    return standard


#: New research staff are checked against the entry conditions when hired
#: within this many years.
NEW_HIRE_YEARS = 5


@dataclass
class RuleResult:
    rule: object
    value: Decimal | None
    figure: str
    detail: str
    passed: bool

    @property
    def verdict(self):
        return _("Pass") if self.passed else _("Fail")


@dataclass
class CenterEvaluation:
    center: object
    results: list[RuleResult]
    reference_year: int

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def all_passed(self) -> bool:
        return self.passed == self.total


@dataclass
class _CenterFacts:
    """What the metrics of one center are computed from (no queries)."""

    staff: list
    full_time: list
    part_time: list
    research: list
    teaching_seats: int
    largest_room: int
    reference_year: int
    today: date
    #: seats (beds, places) by room function, and how many rooms of it
    seats_by_function: dict
    rooms_by_function: dict


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _names(people, limit=5) -> str:
    names = [p.name for p in people]
    more = len(names) - limit
    text = "、".join(names[:limit])
    return text + (f" …(+{more})" if more > 0 else "")


def _year_record(staff, year):
    for record in _records(staff):
        if record.year == year:
            return record
    return None


def _hired_after(staff, school_year: int) -> bool:
    """Hired after the school year began: not judged on that year."""
    return bool(staff.hired_on and staff.hired_on > date(school_year, 9, 1))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# Each metric: (rule, facts) -> (value or None, figure shown, detail).


def _part_time_ratio(rule, f):
    if not f.full_time:
        return None, "—", _("No full-time staff recorded.")
    value = (Decimal(len(f.part_time)) / Decimal(len(f.full_time))).quantize(Decimal("0.01"))
    return value, f"{len(f.part_time)} : {len(f.full_time)} ({value})", _("part-time : full-time")


def _part_time_to_research_ratio(rule, f):
    """003: 兼职教师人数应按不低于教研员人数的1:1比例配备 — part-time staff
    against the (full-time) research staff."""
    if not f.research:
        return None, "—", _("No full-time research staff recorded.")
    value = (Decimal(len(f.part_time)) / Decimal(len(f.research))).quantize(Decimal("0.01"))
    return (
        value,
        f"{len(f.part_time)} : {len(f.research)} ({value})",
        _("part-time : research staff"),
    )


def _title_share(titles):
    """003: 中高级职称比例占教师总数的90%以上，其中高级教师占50%以上 — the
    denominator is the teachers in total (all active staff, 专职 and 兼职)."""

    def metric(rule, f):
        if not f.staff:
            return None, "—", _("No staff recorded.")
        count = sum(1 for s in f.staff if s.title in titles)
        value = _pct(count, len(f.staff))
        detail = _("%(count)s / %(total)s (of all staff)") % {
            "count": count,
            "total": len(f.staff),
        }
        return value, f"{value}%", detail

    return metric


def _teaching_seats(rule, f):
    return Decimal(f.teaching_seats), str(f.teaching_seats), ""


def _largest_room(rule, f):
    return Decimal(f.largest_room), str(f.largest_room), ""


def _hosting_capacity(rule, f):
    """000: 配套生活设施(食堂、宿舍、体育活动场所等)能同时满足100人以上面授培训
    要求 — the trainees hosted at once are the fewest of the teaching seats and
    the places of the canteens, dormitories and sports facilities."""
    from ..models import RoomFunction

    parts = [
        (_("teaching"), f.teaching_seats),
        (_("canteen"), f.seats_by_function.get(RoomFunction.CANTEEN, 0)),
        (_("dormitory"), f.seats_by_function.get(RoomFunction.DORMITORY, 0)),
        (_("sports"), f.seats_by_function.get(RoomFunction.SPORTS, 0)),
    ]
    value = min(n for _label, n in parts)
    detail = " · ".join(f"{label} {n}" for label, n in parts)
    return Decimal(value), str(value), detail


def _missing_room_kinds(rule, f):
    """000: 计算机网络教室、多媒体教室、多功能学术报告厅、心理健康辅导室、
    自习研训室、图书资料室等等功能场室."""
    from ..models import REQUIRED_ROOM_FUNCTIONS, RoomFunction

    missing = [fn for fn in REQUIRED_ROOM_FUNCTIONS if not f.rooms_by_function.get(fn)]
    if not missing:
        return Decimal(0), "0", _("all function rooms present")
    labels = "、".join(str(RoomFunction(fn).label) for fn in missing)
    return Decimal(len(missing)), str(len(missing)), _("missing: %(rooms)s") % {"rooms": labels}


def _staff_renewal(rule, f):
    """003: 每五年教师队伍更新率20%左右 — the share of the full-time staff
    hired in the last five years."""
    from ..standards_data import RENEWAL_YEARS

    if not f.full_time:
        return None, "—", _("No full-time staff recorded.")
    since = _years_before(f.today, RENEWAL_YEARS)
    new = sum(1 for s in f.full_time if s.hired_on and s.hired_on >= since)
    value = _pct(new, len(f.full_time))
    detail = _("%(new)s of %(total)s full-time staff hired in the last %(n)s years") % {
        "new": new,
        "total": len(f.full_time),
        "n": RENEWAL_YEARS,
    }
    return value, f"{value}%", detail


def _postgraduate_research_staff(rule, f):
    """003: “十四五”期间研究生学历的教研员达4人以上."""
    from ..models import DEGREE_RANK, Degree

    count = sum(1 for s in f.research if DEGREE_RANK.get(s.degree, 0) >= DEGREE_RANK[Degree.MASTER])
    return Decimal(count), str(count), ""


def _missing_demo_lessons(rule, f):
    """003: 教研员每学期必上示范课、展示课 — full-time research staff without a
    demonstration lesson in both semesters of the reference year."""
    judged = [s for s in f.research if not _hired_after(s, f.reference_year)]
    if not judged:
        return None, "—", _("No full-time research staff recorded.")
    missing = []
    for s in judged:
        record = _year_record(s, f.reference_year)
        if record is None or not (record.demo_lesson_autumn and record.demo_lesson_spring):
            missing.append(s)
    if missing:
        return Decimal(len(missing)), str(len(missing)), _names(missing)
    return Decimal(0), "0", _("all %(total)s gave them") % {"total": len(judged)}


def _uncovered_subjects(rule, f):
    """003: 重点配齐义务教育各学科教研员 — compulsory-education subjects no
    research staffer (专职 or 兼职) covers."""
    from ..standards_data import REQUIRED_SUBJECTS

    covered = {s.subject.strip() for s in f.staff if s.is_research_staff}
    missing = [subject for subject in REQUIRED_SUBJECTS if subject not in covered]
    if not missing:
        return Decimal(0), "0", _("every subject covered")
    return (
        Decimal(len(missing)),
        str(len(missing)),
        _("not covered: %(subjects)s") % {"subjects": "、".join(missing)},
    )


def _research_minimum(read, unit):
    """The fewest of a yearly figure among full-time research staff in the
    reference year (no record counts 0), naming who falls short."""

    def metric(rule, f):
        judged = [s for s in f.research if not _hired_after(s, f.reference_year)]
        if not judged:
            return None, "—", _("No full-time research staff recorded.")
        figures = []
        for s in judged:
            record = _year_record(s, f.reference_year)
            figures.append((s, 0 if record is None else read(record)))
        value = Decimal(min(n for _s, n in figures))
        below = [s for s, n in figures if not rule.holds(Decimal(n))]
        if below:
            detail = _("%(below)s of %(total)s below: %(names)s") % {
                "below": len(below),
                "total": len(figures),
                "names": _names(below),
            }
        else:
            detail = _("all %(total)s meet it") % {"total": len(figures)}
        return value, f"{value} {unit()}", detail

    return metric


def _years_since_school_semester(rule, f):
    if not f.research:
        return None, "—", _("No full-time research staff recorded.")
    this_year = current_school_year(f.today)
    figures = []
    for s in f.research:
        taught = [r.year for r in _records(s) if r.taught_semester_in_school]
        if taught:
            years = this_year - max(taught)
        elif s.hired_on:
            years = this_year - current_school_year(s.hired_on)
        else:
            years = None  # unknown: counts as overdue
        figures.append((s, years))
    known = [y for _s, y in figures if y is not None]
    value = None if len(known) < len(figures) else Decimal(max(known))
    late = [s for s, y in figures if y is None or not rule.holds(Decimal(y))]
    if late:
        detail = _("%(n)s overdue: %(names)s") % {"n": len(late), "names": _names(late)}
    else:
        detail = _("all %(total)s within the period") % {"total": len(figures)}
    unit = _("years")
    return value, "—" if value is None else f"{value} {unit}", detail


def _inactive_staff(rule, f):
    inactive = [s for s in f.staff if is_inactive(s, today=f.today)]
    detail = _names(inactive) if inactive else _("everyone took part")
    return Decimal(len(inactive)), str(len(inactive)), detail


def _new_hires_meeting_entry(rule, f):
    since = _years_before(f.today, NEW_HIRE_YEARS)
    hires = [s for s in f.research if s.hired_on and s.hired_on >= since]
    if not hires:
        detail = _("No research staff hired in the last %(n)s years.") % {"n": NEW_HIRE_YEARS}
        return Decimal(100), "0 / 0", detail
    failing = [s for s in hires if not meets_entry_conditions(s)]
    value = _pct(len(hires) - len(failing), len(hires))
    if failing:
        detail = _("not meeting: %(names)s") % {"names": _names(failing)}
    else:
        detail = _("all meet the conditions")
    return value, f"{value}% ({len(hires) - len(failing)} / {len(hires)})", detail


def _metrics():
    from ..models import SENIOR_OR_INTERMEDIATE_TITLES, SENIOR_TITLES, Metric

    return {
        Metric.PART_TIME_RATIO: _part_time_ratio,
        Metric.PART_TIME_TO_RESEARCH_RATIO: _part_time_to_research_ratio,
        Metric.HOSTING_CAPACITY: _hosting_capacity,
        Metric.MISSING_ROOM_KINDS: _missing_room_kinds,
        Metric.STAFF_RENEWAL: _staff_renewal,
        Metric.POSTGRADUATE_RESEARCH_STAFF: _postgraduate_research_staff,
        Metric.MISSING_DEMO_LESSONS: _missing_demo_lessons,
        Metric.UNCOVERED_SUBJECTS: _uncovered_subjects,
        Metric.SENIOR_OR_INTERMEDIATE_SHARE: _title_share(SENIOR_OR_INTERMEDIATE_TITLES),
        Metric.SENIOR_SHARE: _title_share(SENIOR_TITLES),
        Metric.TEACHING_SEATS: _teaching_seats,
        Metric.LARGEST_ROOM: _largest_room,
        Metric.MIN_SCHOOL_DAYS: _research_minimum(
            lambda r: min(r.school_days_autumn, r.school_days_spring), lambda: _("days")
        ),
        Metric.MIN_LESSONS_OBSERVED: _research_minimum(
            lambda r: r.lessons_observed, lambda: _("lessons")
        ),
        Metric.YEARS_SINCE_SCHOOL_SEMESTER: _years_since_school_semester,
        Metric.INACTIVE_STAFF: _inactive_staff,
        Metric.NEW_HIRES_MEETING_ENTRY: _new_hires_meeting_entry,
    }


def _unknown_metric(rule, f):
    return None, "—", _("Unknown metric.")


def active_rules():
    from ..models import StandardRule

    return list(
        StandardRule.objects.filter(is_active=True, standard__is_active=True)
        .select_related("standard")
        .order_by("standard__code", "order", "code")
    )


def evaluate_centers(centers, *, rules=None, today: date | None = None):
    """Evaluate every rule in force for each of ``centers``: a list of
    ``CenterEvaluation`` in the same order. Four queries whatever the number
    of centers, staff and rooms (rules, staff, their year records, rooms by
    function); none for no center."""
    from django.db.models import Count, Max, Prefetch, Sum

    from ..models import TEACHING_FUNCTIONS, Employment, Room, StaffMember, StaffYearRecord

    centers = list(centers)
    if not centers:  # nothing to evaluate: no query (the rules are not read either)
        return []
    today = today or timezone.localdate()
    reference_year = current_school_year(today) - 1
    ids = [c.pk for c in centers]
    rules = active_rules() if rules is None else rules
    metrics = _metrics()
    staff_by_center = {pk: [] for pk in ids}
    staff = StaffMember.objects.filter(
        center_id__in=ids, is_active=True, left_on__isnull=True
    ).prefetch_related(Prefetch("year_records", queryset=StaffYearRecord.objects.order_by("year")))
    for s in staff:
        staff_by_center[s.center_id].append(s)
    # One query: seats, largest room and number of rooms by center and function.
    by_function = {pk: {} for pk in ids}
    for row in (
        Room.objects.filter(campus__center__in=ids)
        .values("campus__center", "function")
        .annotate(total=Sum("seats"), largest=Max("seats"), rooms=Count("pk"))
        .order_by()
    ):
        by_function[row["campus__center"]][row["function"]] = row
    evaluations = []
    for center in centers:
        people = staff_by_center[center.pk]
        full = [s for s in people if s.employment == Employment.FULL_TIME]
        rooms = by_function[center.pk]
        teaching = [rooms[fn] for fn in TEACHING_FUNCTIONS if fn in rooms]
        facts = _CenterFacts(
            staff=people,
            full_time=full,
            part_time=[s for s in people if s.employment == Employment.PART_TIME],
            research=[s for s in full if s.is_research_staff],
            teaching_seats=sum(row["total"] or 0 for row in teaching),
            largest_room=max((row["largest"] or 0 for row in teaching), default=0),
            reference_year=reference_year,
            today=today,
            seats_by_function={fn: row["total"] or 0 for fn, row in rooms.items()},
            rooms_by_function={fn: row["rooms"] for fn, row in rooms.items()},
        )
        results = []
        for rule in rules:
            value, figure, detail = metrics.get(rule.metric, _unknown_metric)(rule, facts)
            results.append(RuleResult(rule, value, figure, str(detail), rule.holds(value)))
        evaluations.append(CenterEvaluation(center, results, reference_year))
    return evaluations


def evaluate_center(center, **kwargs) -> CenterEvaluation:
    return evaluate_centers([center], **kwargs)[0]


# --- Career ladders (data: ``centers.ladders_data``) -------------------------


@dataclass(frozen=True)
class Ladder:
    code: str
    name: str
    source: str
    steps: tuple  # ((code, name), …) from the first step

    def step(self, code: str):
        """The position (0 = first) and name of step ``code``, or None."""
        for position, (step_code, name) in enumerate(self.steps):
            if step_code == code:
                return position, name
        return None


def ladders() -> list[Ladder]:
    from ..ladders_data import LADDERS

    return [Ladder(code, name, source, tuple(steps)) for code, name, source, steps in LADDERS]


def ladder(code: str) -> Ladder | None:
    return next((item for item in ladders() if item.code == code), None)


def ladder_step_choices() -> list:
    """Grouped choices (ladder name → its steps) for a ``ladder:step`` field."""
    return [
        (item.name, [(f"{item.code}:{code}", name) for code, name in item.steps])
        for item in ladders()
    ]


def ladder_step_name(value: str) -> str:
    """The Chinese name of step ``ladder:step`` with its ladder, or ""."""
    from ..ladders_data import step_names

    found = step_names().get(value or "")
    return f"{found[0]}（{found[1]}）" if found else ""
