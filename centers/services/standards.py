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


def _title_share(titles):
    def metric(rule, f):
        if not f.full_time:
            return None, "—", _("No full-time staff recorded.")
        count = sum(1 for s in f.full_time if s.title in titles)
        value = _pct(count, len(f.full_time))
        return value, f"{value}%", f"{count} / {len(f.full_time)}"

    return metric


def _teaching_seats(rule, f):
    return Decimal(f.teaching_seats), str(f.teaching_seats), ""


def _largest_room(rule, f):
    return Decimal(f.largest_room), str(f.largest_room), ""


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
    of centers, staff and rooms (rules, staff, their year records, seats)."""
    from django.db.models import Max, Prefetch, Sum

    from ..models import TEACHING_FUNCTIONS, Employment, Room, StaffMember, StaffYearRecord

    today = today or timezone.localdate()
    reference_year = current_school_year(today) - 1
    centers = list(centers)
    ids = [c.pk for c in centers]
    rules = active_rules() if rules is None else rules
    metrics = _metrics()
    staff_by_center = {pk: [] for pk in ids}
    staff = StaffMember.objects.filter(
        center_id__in=ids, is_active=True, left_on__isnull=True
    ).prefetch_related(Prefetch("year_records", queryset=StaffYearRecord.objects.order_by("year")))
    for s in staff:
        staff_by_center[s.center_id].append(s)
    seats = {
        row["campus__center"]: row
        for row in Room.objects.filter(campus__center__in=ids, function__in=TEACHING_FUNCTIONS)
        .values("campus__center")
        .annotate(total=Sum("seats"), largest=Max("seats"))
        .order_by()
    }
    evaluations = []
    for center in centers:
        people = staff_by_center[center.pk]
        full = [s for s in people if s.employment == Employment.FULL_TIME]
        facts = _CenterFacts(
            staff=people,
            full_time=full,
            part_time=[s for s in people if s.employment == Employment.PART_TIME],
            research=[s for s in full if s.is_research_staff],
            teaching_seats=(seats.get(center.pk) or {}).get("total") or 0,
            largest_room=(seats.get(center.pk) or {}).get("largest") or 0,
            reference_year=reference_year,
            today=today,
        )
        results = []
        for rule in rules:
            value, figure, detail = metrics.get(rule.metric, _unknown_metric)(rule, facts)
            results.append(RuleResult(rule, value, figure, str(detail), rule.holds(value)))
        evaluations.append(CenterEvaluation(center, results, reference_year))
    return evaluations


def evaluate_center(center, **kwargs) -> CenterEvaluation:
    return evaluate_centers([center], **kwargs)[0]
