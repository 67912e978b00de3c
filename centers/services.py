"""Business rules of the centers app: research-staff entry conditions and
activity, mandate routing, standards evaluation, imports and district sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DEGREE_RANK, HONOUR_RANK, TITLE_RANK, Degree, Honour, Title

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


# --- Mandates: who is responsible for what ------------------------------------

#: How much a matching field counts: a mandate naming the kind of training is
#: more specific than one naming an ownership, a stage or a target group.
MANDATE_WEIGHTS = {"training_kind": 8, "ownership": 4, "stage": 2, "target_group": 1}


def route_mandate(*, training_kind="", target_group="", stage="", ownership="", mandates=None):
    """The mandate responsible for a piece of work (a training project, a
    studio): among the mandates whose set fields all match, the one whose
    matching fields weigh most (``MANDATE_WEIGHTS``), then the highest
    priority. One query (none when ``mandates`` is given)."""
    from .models import Mandate

    wanted = {
        "training_kind": training_kind or "",
        "target_group": target_group or "",
        "stage": stage or "",
        "ownership": ownership or "",
    }
    if mandates is None:
        mandates = Mandate.objects.select_related("center")
    best, best_key = None, None
    for mandate in mandates:
        score = 0
        for field, weight in MANDATE_WEIGHTS.items():
            value = getattr(mandate, field)
            if not value:
                continue
            if value != wanted[field]:
                break
            score += weight
        else:
            key = (score, mandate.priority, -mandate.pk)
            if best_key is None or key > best_key:
                best, best_key = mandate, key
    return best


def responsible_center(**work):
    """The municipal center responsible for the work (see ``route_mandate``)."""
    mandate = route_mandate(**work)
    return mandate.center if mandate else None


def load_mandates() -> int:
    """Write the charter's mandates (``mandates_data``) for the centers that
    exist; loading twice changes nothing. Returns the number of rows."""
    from .mandates_data import MANDATES
    from .models import Center, Mandate

    centers = {c.code: c for c in Center.objects.filter(code__in={m[0] for m in MANDATES})}
    count = 0
    for code, kind, group, stage, ownership, priority, description in MANDATES:
        if code not in centers:
            continue
        Mandate.objects.update_or_create(
            training_kind=kind,
            target_group=group,
            stage=stage,
            ownership=ownership,
            defaults={
                "center": centers[code],
                "priority": priority,
                "description": description,
                "source": "《广州市市级教师发展中心联盟章程》第十条",
            },
        )
        count += 1
    return count


# --- Standards: evaluation ---------------------------------------------------


def ensure_standards():
    """The standards of ``standards_data`` exist (the data migration loads
    them too); existing rows are left as edited."""
    from .models import Standard, StandardRule
    from .standards_data import RULES, STANDARD_CODE, STANDARD_NAME, STANDARD_SOURCE

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
    from .models import SENIOR_OR_INTERMEDIATE_TITLES, SENIOR_TITLES, Metric

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
    from .models import StandardRule

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

    from .models import TEACHING_FUNCTIONS, Employment, Room, StaffMember, StaffYearRecord

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


# --- Batch upserts: district sync (API) and Excel imports ----------------------

#: The most rows one sync request or one workbook may carry.
MAX_BATCH_ROWS = 5000


class BatchError(Exception):
    """The batch was refused and nothing written: ``errors`` maps a row's
    index (0-based, in the order sent) to its errors by field."""

    def __init__(self, errors: dict[int, dict[str, list[str]]], message=""):
        super().__init__(message or _("Some rows are invalid; nothing was written."))
        self.errors = errors
        self.message = str(message or _("Some rows are invalid; nothing was written."))


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self):
        return self.created + self.updated + self.unchanged

    def as_dict(self):
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _add_error(errors, index, field, message):
    errors.setdefault(index, {}).setdefault(field, []).append(str(message))


def clean_rows(kind: str, rows) -> tuple[list[dict | None], dict]:
    """Each row through its row form: the cleaned rows (None where invalid)
    and the errors by index."""
    from .rows import ROW_FORMS, error_messages

    if not isinstance(rows, list | tuple):
        raise BatchError({}, _("Send a list of rows."))
    if len(rows) > MAX_BATCH_ROWS:
        raise BatchError(
            {}, _("At most %(n)s rows in one batch; split it.") % {"n": MAX_BATCH_ROWS}
        )
    form_cls = ROW_FORMS[kind]
    cleaned, errors = [], {}
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            _add_error(errors, index, "__all__", _("A row must be an object of fields."))
            cleaned.append(None)
            continue
        form = form_cls(data=raw)
        if form.is_valid():
            cleaned.append(form.cleaned_data)
        else:
            errors[index] = error_messages(form)
            cleaned.append(None)
    return cleaned, errors


def _match(text, objects, *attrs):
    text = (text or "").strip().lower()
    for obj in objects:
        if any(str(getattr(obj, a) or "").lower() == text for a in attrs):
            return obj
    return None


def _resolve_org(errors, index, text, allowed: dict, everything, field, *attrs):
    """The district (or center) a row names, which must be one the user may
    write into; blank means the user's only one."""
    if not (text or "").strip():
        if len(allowed) == 1:
            return next(iter(allowed.values()))
        what = _("district") if field == "district" else _("center")
        _add_error(errors, index, field, _("Name the %(what)s of this row.") % {"what": what})
        return None
    obj = _match(text, everything, *attrs)
    if obj is None:
        _add_error(errors, index, field, _("Unknown: “%(value)s”.") % {"value": text})
        return None
    if obj.pk not in allowed:
        _add_error(
            errors,
            index,
            field,
            _("This row belongs to %(org)s, outside your reach; nothing was written.")
            % {"org": obj},
        )
        return None
    return obj


def _apply(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _commit_batch(
    model, *, creates, updates, fields, errors, result, dry_run, user, scope_repr, source
):
    """The end every batch upsert shares: a bad row refuses the whole batch;
    otherwise the rows are written and the batch audited in one transaction
    (a dry run only counts them)."""
    from django.db import transaction

    from core.audit import record
    from core.models import AuditAction

    if errors:
        raise BatchError(errors)
    result.created, result.updated = len(creates), len(updates)
    if dry_run:
        return result
    now = timezone.now()
    with transaction.atomic():
        if creates:
            model.objects.bulk_create(creates, batch_size=500)
        if updates:
            for obj in updates:
                obj.updated_at = now
            model.objects.bulk_update(updates, [*fields, "updated_at"], batch_size=500)
        record(
            AuditAction.SYNC,
            actor=user,
            object_type=model._meta.label_lower,
            object_repr=f"{model._meta.verbose_name_plural} · {scope_repr}",
            changes={**result.as_dict(), "source": source},
            message=f"{source}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged",
        )
    return result


SCHOOL_FIELDS = ["external_id", "name", "stage", "ownership", "address", "is_active"]


def sync_schools(*, user, rows, source="api", dry_run=False) -> BatchResult:
    """Upsert schools keyed by (district, the district's own id): all rows
    or none. A school already known by name without an id adopts the id.
    Raises ``BatchError`` naming every bad row's index."""
    from django.db.models import Q

    from .models import District, School
    from .permissions import writable_districts

    cleaned, errors = clean_rows("schools", rows)
    allowed = {d.pk: d for d in writable_districts(user)}
    everything = list(District.objects.all())
    seen_keys, seen_names = {}, {}
    for index, row in enumerate(cleaned):
        if row is None:
            continue
        district = _resolve_org(
            errors, index, row["district"], allowed, everything, "district", "code", "name"
        )
        row["district_obj"] = district
        if district is None:
            continue
        for seen, key, field in (
            (seen_keys, (district.pk, row["external_id"]), "external_id"),
            (seen_names, (district.pk, row["name"]), "name"),
        ):
            if key in seen:
                _add_error(
                    errors, index, field, _("Same as row %(n)s of this batch.") % {"n": seen[key]}
                )
            seen.setdefault(key, index)
    valid = [r for r in cleaned if r and r.get("district_obj")]
    existing = list(
        School.objects.filter(district__in={r["district_obj"].pk for r in valid}).filter(
            Q(external_id__in={r["external_id"] for r in valid})
            | Q(name__in={r["name"] for r in valid})
        )
    )
    by_key = {(s.district_id, s.external_id): s for s in existing if s.external_id}
    by_name = {(s.district_id, s.name): s for s in existing}
    creates, updates, result = [], [], BatchResult()
    for index, row in enumerate(cleaned):
        if row is None or row.get("district_obj") is None or index in errors:
            continue
        district = row["district_obj"]
        values = {f: row[f] for f in SCHOOL_FIELDS}
        obj = by_key.get((district.pk, row["external_id"]))
        named = by_name.get((district.pk, row["name"]))
        if obj is None and named is not None and not named.external_id:
            obj = named  # adopt the district's id
        elif named is not None and named is not obj:
            _add_error(
                errors,
                index,
                "name",
                _("Another school of this district already has this name (id %(id)s).")
                % {"id": named.external_id},
            )
            continue
        if obj is None:
            creates.append(School(district=district, **values))
        elif _apply(obj, values):
            updates.append(obj)
        else:
            result.unchanged += 1
    return _commit_batch(
        School,
        creates=creates,
        updates=updates,
        fields=SCHOOL_FIELDS,
        errors=errors,
        result=result,
        dry_run=dry_run,
        user=user,
        scope_repr="、".join(sorted({r["district_obj"].name for r in valid})),
        source=source,
    )


TEACHER_FIELDS = [
    "external_id",
    "name",
    "id_number",
    "school_id",
    "district_id",
    "subject",
    "stage",
    "title",
    "role",
    "career_stage",
    "is_active",
]


def sync_teachers(*, user, rows, source="api", dry_run=False) -> BatchResult:  # noqa: C901
    """Upsert teachers keyed by (district, the district's own id): all rows
    or none. The ID number stays unique across the federation: a row whose
    number belongs to another teacher is refused. Raises ``BatchError``."""
    from django.db.models import Q

    from .models import District, School, Teacher
    from .permissions import writable_schools_q

    cleaned, errors = clean_rows("teachers", rows)
    school_q = writable_schools_q(user)
    writable = School.objects.none() if school_q is None else School.objects.filter(school_q)
    allowed = {d.pk: d for d in District.objects.filter(pk__in=writable.values("district_id"))}
    everything = list(District.objects.all())
    for index, row in enumerate(cleaned):
        if row is not None:
            row["district_obj"] = _resolve_org(
                errors, index, row["district"], allowed, everything, "district", "code", "name"
            )
    valid = [r for r in cleaned if r and r.get("district_obj")]
    refs = {r["school"] for r in valid}
    schools = list(
        writable.filter(district__in={r["district_obj"].pk for r in valid}).filter(
            Q(external_id__in=refs) | Q(name__in=refs)
        )
    )
    school_by_ref = {}
    for s in schools:
        school_by_ref.setdefault((s.district_id, s.name), s)
        if s.external_id:
            school_by_ref[(s.district_id, s.external_id)] = s
    existing = list(
        Teacher.objects.filter(
            Q(
                district__in={r["district_obj"].pk for r in valid},
                external_id__in={r["external_id"] for r in valid},
            )
            | Q(id_number__in={r["id_number"] for r in valid})
        )
    )
    by_key = {(t.district_id, t.external_id): t for t in existing if t.external_id}
    by_number = {t.id_number: t for t in existing}
    seen_keys, seen_numbers = {}, {}
    creates, updates, result = [], [], BatchResult()
    for index, row in enumerate(cleaned):
        if row is None or row.get("district_obj") is None:
            continue
        district = row["district_obj"]
        school = school_by_ref.get((district.pk, row["school"]))
        if school is None:
            _add_error(
                errors,
                index,
                "school",
                _("No school “%(ref)s” in %(district)s that you may write to.")
                % {"ref": row["school"], "district": district},
            )
        key = (district.pk, row["external_id"])
        for seen, k, field in (
            (seen_keys, key, "external_id"),
            (seen_numbers, row["id_number"], "id_number"),
        ):
            if k in seen:
                _add_error(
                    errors, index, field, _("Same as row %(n)s of this batch.") % {"n": seen[k]}
                )
            seen.setdefault(k, index)
        obj = by_key.get(key)
        holder = by_number.get(row["id_number"])
        if (
            obj is None
            and holder is not None
            and not holder.external_id
            and holder.district_id == district.pk
        ):
            obj = holder  # a teacher entered by hand: adopt the district's id
        if holder is not None and holder is not obj:
            # Minimum necessary: another district's record is not named (nor
            # its district), only that the number is taken.
            message = (
                _("This ID number belongs to another teacher record (%(where)s).")
                % {"where": holder.name}
                if holder.district_id == district.pk
                else _(
                    "This ID number belongs to a teacher record outside your district; "
                    "ask the bureau to move the teacher."
                )
            )
            _add_error(errors, index, "id_number", message)
        if index in errors:
            continue
        values = {
            "external_id": row["external_id"],
            "name": row["name"],
            "id_number": row["id_number"],
            "school_id": school.pk,
            "district_id": school.district_id,
            "subject": row["subject"],
            "stage": row["stage"] or school.stage,
            "title": row["title"],
            "role": row["role"],
            "career_stage": row["career_stage"],
            "is_active": row["is_active"],
        }
        if obj is None:
            creates.append(Teacher(**values))
        elif _apply(obj, values):
            updates.append(obj)
        else:
            result.unchanged += 1
    return _commit_batch(
        Teacher,
        creates=creates,
        updates=updates,
        fields=TEACHER_FIELDS,
        errors=errors,
        result=result,
        dry_run=dry_run,
        user=user,
        scope_repr="、".join(sorted({r["district_obj"].name for r in valid})),
        source=source,
    )


STAFF_FIELDS = [
    "external_id",
    "name",
    "employment",
    "is_research_staff",
    "title",
    "honour",
    "degree",
    "subject",
    "years_teaching",
    "date_of_birth",
    "hired_on",
    "left_on",
    "is_active",
]


def import_staff(*, user, rows, source="import", dry_run=False) -> BatchResult:
    """Upsert staff keyed by (center, staff number): all rows or none."""
    from .models import Center, StaffMember
    from .permissions import writable_centers

    cleaned, errors = clean_rows("staff", rows)
    allowed = {c.pk: c for c in writable_centers(user)}
    everything = list(Center.objects.all())
    seen = {}
    for index, row in enumerate(cleaned):
        if row is None:
            continue
        center = _resolve_org(
            errors,
            index,
            row["center"],
            allowed,
            everything,
            "center",
            "code",
            "name",
            "short_name",
        )
        row["center_obj"] = center
        if center is None:
            continue
        key = (center.pk, row["external_id"])
        if key in seen:
            _add_error(
                errors,
                index,
                "external_id",
                _("Same as row %(n)s of this batch.") % {"n": seen[key]},
            )
        seen.setdefault(key, index)
        if row["left_on"] and row["hired_on"] and row["left_on"] < row["hired_on"]:
            _add_error(errors, index, "left_on", _("Left before being hired."))
    valid = [r for r in cleaned if r and r.get("center_obj")]
    existing = {
        (s.center_id, s.external_id): s
        for s in StaffMember.objects.filter(
            center__in={r["center_obj"].pk for r in valid},
            external_id__in={r["external_id"] for r in valid},
        )
    }
    creates, updates, result = [], [], BatchResult()
    for index, row in enumerate(cleaned):
        if row is None or row.get("center_obj") is None or index in errors:
            continue
        values = {f: row[f] for f in STAFF_FIELDS}
        if values["left_on"]:
            values["is_active"] = False
        obj = existing.get((row["center_obj"].pk, row["external_id"]))
        if obj is None:
            creates.append(StaffMember(center=row["center_obj"], **values))
        elif _apply(obj, values):
            updates.append(obj)
        else:
            result.unchanged += 1
    return _commit_batch(
        StaffMember,
        creates=creates,
        updates=updates,
        fields=STAFF_FIELDS,
        errors=errors,
        result=result,
        dry_run=dry_run,
        user=user,
        scope_repr="、".join(sorted({str(r["center_obj"]) for r in valid})),
        source=source,
    )


BATCH_WRITERS = {"schools": sync_schools, "teachers": sync_teachers, "staff": import_staff}


# --- Whole ID numbers --------------------------------------------------------


def reveal_id_number(*, user, teacher, request=None) -> str:
    """The teacher's whole ID number, for a user allowed to see it (see
    ``permissions.can_see_whole_id``); every showing is audited."""
    from django.core.exceptions import PermissionDenied

    from core.audit import record
    from core.models import AuditAction

    from .permissions import can_see_whole_id

    if not can_see_whole_id(user, teacher):
        raise PermissionDenied
    record(
        AuditAction.SENSITIVE_VIEW,
        teacher,
        actor=user,
        request=request,
        message="id_number shown whole",
    )
    return teacher.id_number
