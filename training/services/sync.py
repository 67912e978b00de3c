"""A district system posts its own district-level (区培) and school-based
(校本) participation in batches, like the credit sync
(``credits.services.sync_batch``): all or nothing with row errors, under an
``Idempotency-Key`` whose stored answer a retry gets back byte for byte.

A row names the district's teacher by their id in the district's system
(``teacher``), a sub-project of a plan the district holds (``subproject``)
or a new 区培/校本 activity (``activity``: ``code``, ``name``, ``level``,
``hours``, ``starts_on``, ``ends_on``, optional ``category``), the result
(``excellent`` | ``pass`` | ``fail``, optional ``score``) and optional
``hours`` (at most the sub-project's). The row lands as an enrolment and its
result; a passing teacher's hours go to the ledger through
``credits.services.award_hours_bulk`` under the sub-project's activity key,
so sending the row again (under any key), or closing the sub-project, never
counts them twice. A teacher of another district is refused with the same
message as an unknown id."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.models import Teacher
from core import audit, batch
from core.batch import (
    BatchRejected,
    RowError,
    RowErrors,
    SyncAnswer,
    answer_once,
    body_hash,
)
from core.batch import error_body as _error
from core.models import AuditAction
from credits import services as credits
from credits.models import Category, Source

from ..models import (
    Enrollment,
    EnrollmentStatus,
    Grade,
    HolderKind,
    Level,
    Mode,
    ParticipationSync,
    Plan,
    PlanStatus,
    Project,
    Result,
    SubProject,
    SubProjectStatus,
    Tier,
)

MAX_ROWS = 1000
LEVELS = (Level.DISTRICT, Level.SCHOOL)
ROW_FIELDS = frozenset({"teacher", "subproject", "activity", "hours", "result", "score"})
ACTIVITY_FIELDS = frozenset({"code", "name", "level", "hours", "category", "starts_on", "ends_on"})
GRADES = (Grade.EXCELLENT, Grade.PASS, Grade.FAIL)


def _text(value, limit):
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValidationError(_("Must be text."))
    value = str(value).strip()
    if len(value) > limit:
        raise ValidationError(_("At most %(n)d characters.") % {"n": limit})
    if "\x00" in value:
        raise ValidationError(_("Must not contain NUL characters."))
    return value


def _required_text(value, limit):
    """``_text`` that may not be empty."""
    value = _text(value, limit)
    if not value:
        raise ValidationError(_("This field is required."))
    return value


def _date(value):
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError as exc:
        raise ValidationError(_("A date as YYYY-MM-DD.")) from exc


def _check_activity(activity, index, errors):
    """A new activity's definition (or just its ``code`` when an earlier
    row or batch defined it): a dict, or None after recording errors."""
    if not isinstance(activity, dict):
        errors.add(index, "activity", _("An object with the activity's code, name and dates."))
        return None
    unknown = set(activity) - ACTIVITY_FIELDS
    if unknown:
        errors.add(index, f"activity.{sorted(unknown)[0]}", _("Unknown field."))
    clean = {}
    try:
        clean["code"] = _required_text(activity.get("code"), 40)
    except ValidationError as exc:
        errors.add(index, "activity.code", exc.messages[0])
        return None
    if set(activity) <= {"code"}:
        return clean  # named only: defined before
    try:
        clean["name"] = _required_text(activity.get("name"), 200)
    except ValidationError as exc:
        errors.add(index, "activity.name", exc.messages[0])
    level = activity.get("level")
    if level not in LEVELS:
        errors.add(
            index, "activity.level", _("One of: %(values)s.") % {"values": "district, school"}
        )
    clean["level"] = level
    try:
        clean["hours"] = credits.parse_hours(activity.get("hours"))
        if clean["hours"] < Decimal("0.5"):
            raise ValidationError(_("At least 0.5 hours."))
    except ValidationError as exc:
        errors.add(index, "activity.hours", exc.messages[0])
    category = activity.get("category") or Category.SUBJECT
    if category not in Category.values:
        errors.add(
            index,
            "activity.category",
            _("One of: %(values)s.") % {"values": ", ".join(Category.values)},
        )
    clean["category"] = category
    for name in ("starts_on", "ends_on"):
        try:
            clean[name] = _date(activity.get(name))
        except ValidationError as exc:
            errors.add(index, f"activity.{name}", exc.messages[0])
    if isinstance(clean.get("starts_on"), datetime.date) and isinstance(
        clean.get("ends_on"), datetime.date
    ):
        if clean["ends_on"] < clean["starts_on"]:
            errors.add(index, "activity.ends_on", _("The activity ends before it starts."))
        elif clean["ends_on"] > timezone.localdate():
            errors.add(index, "activity.ends_on", _("Participation is posted once it has ended."))
    return clean


def validate_rows(rows) -> tuple[list[dict], RowErrors]:
    """Check every row's shape without the database: (clean rows, errors)."""
    clean, errors = [], RowErrors()
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.add(index, None, _("Each row is an object."))
            continue
        unknown = set(row) - ROW_FIELDS
        if unknown:
            errors.add(index, sorted(unknown)[0], _("Unknown field."))
        item = {"index": index, "subproject": None, "activity": None, "hours": None}
        try:
            item["teacher"] = _required_text(row.get("teacher"), 64)
        except ValidationError as exc:
            errors.add(index, "teacher", exc.messages[0])
            item["teacher"] = ""
        has_sub, has_activity = row.get("subproject") is not None, row.get("activity") is not None
        if has_sub == has_activity:
            errors.add(
                index, "subproject", _("Name either a sub-project (its id) or a new activity.")
            )
        elif has_sub:
            value = row["subproject"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                errors.add(index, "subproject", _("A sub-project id."))
            else:
                item["subproject"] = value
        else:
            item["activity"] = _check_activity(row["activity"], index, errors)
        if row.get("hours") is not None:
            try:
                item["hours"] = credits.parse_hours(row["hours"])
            except ValidationError as exc:
                errors.add(index, "hours", exc.messages[0])
        grade = row.get("result")
        if grade not in GRADES:
            errors.add(index, "result", _("One of: %(values)s.") % {"values": ", ".join(GRADES)})
        item["grade"] = grade
        item["score"] = None
        if row.get("score") is not None:
            try:
                score = Decimal(str(row["score"]))
                if isinstance(row["score"], bool) or not (0 <= score <= 100):
                    raise ValueError
                item["score"] = score.quantize(Decimal("0.1"))
            except (InvalidOperation, ValueError):
                errors.add(index, "score", _("A score from 0 to 100."))
        clean.append(item)
    return clean, errors


@dataclass
class ParticipationResult(batch.BatchResult):
    results: list[dict] = field(default_factory=list)
    activities_created: int = 0
    hours_posted: int = 0
    hours_already_counted: int = 0
    hours_reversed: int = 0

    def as_dict(self):
        return {
            "batch": {
                "received": len(self.results),
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "activities_created": self.activities_created,
                "hours_posted": self.hours_posted,
                "hours_already_counted": self.hours_already_counted,
                "hours_reversed": self.hours_reversed,
            },
            "results": self.results,
        }


def _district_subprojects(district):
    return SubProject.objects.select_related("project__plan").filter(
        project__plan__holder_kind=HolderKind.DISTRICT,
        project__plan__district=district,
        project__plan__level__in=LEVELS,
    )


def post_participation(*, district, rows, by=None) -> ParticipationResult:
    """Write a district system's participation rows, all or nothing
    (``core.batch.run_batch``): BatchRejected lists every bad row."""

    def check(rows, errors):
        if not isinstance(rows, list) or not rows:
            raise BatchRejected([RowError(None, None, _("Send 1 to 1,000 rows."))])
        if len(rows) > MAX_ROWS:
            raise BatchRejected([RowError(None, None, _("At most 1,000 rows per batch."))])
        clean, found = validate_rows(rows)
        errors.extend(found)
        return clean

    def resolve(clean, errors):
        # Teachers: only this district's, by their district-system id; a
        # teacher of another district reads exactly like an unknown id.
        wanted = {r["teacher"] for r in clean if r["teacher"]}
        teachers = {
            t.external_id: t
            for t in Teacher.objects.filter(district=district, external_id__in=wanted)
            .exclude(external_id="")
            .only("pk", "external_id", "school_id", "district_id", "user_id")
        }
        subs = {
            s.pk: s
            for s in _district_subprojects(district).filter(
                pk__in={r["subproject"] for r in clean if r["subproject"]}
            )
        }
        codes = {r["activity"]["code"] for r in clean if r["activity"]}
        known = {s.code: s for s in _district_subprojects(district).filter(code__in=codes)}
        defined = {}
        seen = {}
        for row in clean:
            index = row["index"]
            teacher = teachers.get(row["teacher"])
            if teacher is None:
                errors.add(index, "teacher", _("No teacher with this id in your district."))
            row["teacher_obj"] = teacher
            target = None
            if row["subproject"]:
                target = subs.get(row["subproject"])
                if target is None:
                    errors.add(
                        index,
                        "subproject",
                        _("No district or school-based sub-project of your district has this id."),
                    )
                elif target.status in (SubProjectStatus.DRAFT, SubProjectStatus.SUBMITTED):
                    errors.add(index, "subproject", _("The sub-project is not approved yet."))
                    target = None
            elif row["activity"]:
                code = row["activity"]["code"]
                target = known.get(code)
                if target is None:
                    if "name" in row["activity"]:
                        defined.setdefault(code, row["activity"])
                    elif code not in defined:
                        errors.add(
                            index,
                            "activity",
                            _("No activity of your district has this code: define it once."),
                        )
                    target = code
            row["target"] = target
            hours_cap = getattr(target, "hours", None)
            if isinstance(target, str) and target in defined:
                hours_cap = defined[target].get("hours")
            if row["hours"] is not None and hours_cap is not None and row["hours"] > hours_cap:
                errors.add(
                    index,
                    "hours",
                    _("At most the activity's %(hours)s hours.") % {"hours": hours_cap},
                )
            if teacher is not None and target is not None:
                pair = (teacher.pk, getattr(target, "pk", target))
                if pair in seen:
                    errors.add(
                        index,
                        None,
                        _("Repeats row %(n)d of this batch.") % {"n": seen[pair]},
                    )
                else:
                    seen[pair] = index
        return clean, defined

    def write(checked):
        clean, defined = checked
        result = ParticipationResult()
        created_subs = {}
        for code, activity in defined.items():
            created_subs[code] = _create_activity(district, activity, by)
            result.activities_created += 1
        for row in clean:
            if isinstance(row["target"], str):
                row["target"] = created_subs[row["target"]]
        _write_rows(clean, district, by, result)
        if result.created or result.updated or result.activities_created:
            audit.record(
                AuditAction.SYNC,
                actor=by,
                object_type="training.enrollment",
                object_repr=f"{district.name}: {result.created + result.updated}",
                key=audit.register_message(
                    "training.participation_sync",
                    gettext_lazy(
                        "District participation: %(created)s enrolments created, "
                        "%(updated)s updated, %(hours)s hours entries posted"
                    ),
                ),
                params={
                    "created": result.created,
                    "updated": result.updated,
                    "hours": result.hours_posted,
                },
            )
        return result

    return batch.run_batch(rows, check, resolve, write=write)


def _create_activity(district, activity, by) -> SubProject:
    """A 区培/校本 activity the district's system reports: a closed
    sub-project of the district's plan of that level and year (created when
    missing), taught by the center the mandates name for general training
    (else the district's first center of the seed data)."""
    from centers.models import Center

    from . import propose_center

    level = activity["level"]
    year = activity["starts_on"].year
    plan, _created = Plan.objects.get_or_create(
        year=year,
        level=level,
        name=_("%(district)s %(level)s %(year)s (district system)")
        % {"district": district.name, "level": Level(level).label, "year": year},
        defaults={
            "holder_kind": HolderKind.DISTRICT,
            "district": district,
            "status": PlanStatus.APPROVED,
        },
    )
    project, _created = Project.objects.get_or_create(
        plan=plan, code="sync", defaults={"name": _("Reported by the district system")}
    )
    now = timezone.now()
    sub = SubProject(
        project=project,
        code=activity["code"],
        name=activity["name"],
        district=district,
        tier=Tier.WHOLE_STAFF,
        mode=Mode.FACE_TO_FACE,
        hours=activity["hours"],
        credit_category=activity["category"],
        starts_on=activity["starts_on"],
        ends_on=activity["ends_on"],
        capacity=1,
        status=SubProjectStatus.CLOSED,
        closed_at=now,
    )
    center = propose_center(sub) or Center.objects.order_by("pk").first()
    if center is None:
        raise BatchRejected([RowError(None, "activity", _("No center is set up yet."))])
    sub.center = sub.proposed_center = center
    sub.save()
    audit.record(AuditAction.CREATE, sub, actor=by, changes={"status": sub.status})
    return sub


def _write_rows(clean, district, by, result):
    now = timezone.now()
    subs = {row["target"].pk: row["target"] for row in clean}
    existing = {
        (e.subproject_id, e.teacher_id): e
        for e in Enrollment.objects.filter(
            subproject__in=list(subs),
            teacher__in={row["teacher_obj"].pk for row in clean},
        )
        .active()
        .select_related("credit_entry", "result")
    }
    seats = {}
    new, promoted = [], []
    for row in clean:
        sub, teacher = row["target"], row["teacher_obj"]
        enrollment = existing.get((sub.pk, teacher.pk))
        if enrollment is None:
            enrollment = Enrollment(
                subproject=sub,
                teacher=teacher,
                district_id=district.pk,
                school_id=teacher.school_id,
                status=EnrollmentStatus.ENROLLED,
                decided_by=by,
                decided_at=now,
                queued_at=now,
                confirmed_at=now,
                applied_at=now,
            )
            new.append(enrollment)
            seats[sub.pk] = seats.get(sub.pk, 0) + 1
            row["status"] = "created"
        else:
            if enrollment.status != EnrollmentStatus.ENROLLED:
                enrollment.status = EnrollmentStatus.ENROLLED
                enrollment.queued_at = enrollment.queued_at or now
                enrollment.confirmed_at = enrollment.confirmed_at or now
                promoted.append(enrollment)
                seats[sub.pk] = seats.get(sub.pk, 0) + 1
            row["status"] = "existing"
        row["enrollment"] = enrollment
    # Posted participation is what happened: it takes seats, and raises the
    # planned headcount when the class was larger than planned.
    for sub_id, n in seats.items():
        SubProject.objects.filter(pk=sub_id).update(
            capacity=Greatest(F("capacity"), F("seats_taken") + n),
            seats_taken=F("seats_taken") + n,
            updated_at=now,
        )
    if new:
        Enrollment.objects.bulk_create(new)
    if promoted:
        Enrollment.objects.bulk_update(
            promoted, ["status", "queued_at", "confirmed_at", "updated_at"]
        )
    results = {
        r.enrollment_id: r
        for r in Result.objects.filter(enrollment__in=[row["enrollment"].pk for row in clean])
    }
    result_creates, result_updates = [], []
    to_award, reversed_ids = [], []
    for row in clean:
        enrollment, sub = row["enrollment"], row["target"]
        hours = row["hours"] or sub.hours
        current = results.get(enrollment.pk)
        score = row["score"] if row["score"] is not None else Decimal("0")
        if current is None:
            result_creates.append(
                Result(
                    enrollment=enrollment,
                    grade=row["grade"],
                    score=score,
                    attendance_rate=Decimal("100"),
                    entered_by=by,
                )
            )
            changed = True
        else:
            changed = current.grade != row["grade"] or current.score != score
            if changed:
                current.grade, current.score, current.entered_by = row["grade"], score, by
                current.updated_at = now
                result_updates.append(current)
        if row["status"] == "existing":
            if changed:
                row["status"] = "updated"
                result.updated += 1
            else:
                result.unchanged += 1
        else:
            result.created += 1
        passes = row["grade"] in (Grade.EXCELLENT, Grade.PASS)
        entry = enrollment.credit_entry
        if entry is not None and (not passes or entry.hours != hours):
            credits.reverse_entry(
                entry=entry,
                reason=_("District system changed the result: %(sub)s") % {"sub": sub},
                by=by,
            )
            reversed_ids.append(enrollment.pk)
            result.hours_reversed += 1
            entry = None
        if passes and entry is None:
            to_award.append((row, hours))
    if result_creates:
        Result.objects.bulk_create(result_creates)
    if result_updates:
        Result.objects.bulk_update(result_updates, ["grade", "score", "entered_by", "updated_at"])
    if reversed_ids:
        Enrollment.objects.filter(pk__in=reversed_ids).update(credit_entry=None)
    by_entry = {}
    if to_award:
        outcomes = credits.award_hours_bulk(
            awards=[
                {
                    "teacher": row["teacher_obj"].pk,
                    "hours": hours,
                    "category": row["target"].credit_category,
                    "source": Source.SCHOOL_BASED
                    if row["target"].project.plan.level == Level.SCHOOL
                    else Source.TRAINING,
                    "earned_on": min(row["target"].ends_on, timezone.localdate()),
                    "activity_key": row["target"].activity_key,
                    "title": row["target"].name,
                }
                for row, hours in to_award
            ],
            registered_by=by,
            org_name=district.name,
        )
        for (row, _hours), outcome in zip(to_award, outcomes, strict=True):
            row["entry"] = outcome["id"]
            if outcome["status"] == "created":
                result.hours_posted += 1
            else:
                result.hours_already_counted += 1
            by_entry[row["enrollment"].pk] = outcome["id"]
    from . import _link_entries

    _link_entries(by_entry)
    for row in clean:
        result.results.append(
            {
                "index": row["index"],
                "status": row["status"],
                "enrollment": row["enrollment"].pk,
                "subproject": row["target"].pk,
                "result": row["grade"],
                "entry": by_entry.get(row["enrollment"].pk, row["enrollment"].credit_entry_id),
            }
        )


# --- Under an Idempotency-Key -----------------------------------------------------


def sync_participation(*, district, key, body, user=None, digest=None) -> SyncAnswer:
    """``post_participation`` under an ``Idempotency-Key``: the first request
    with a key writes and stores its answer in the same transaction; a
    resend with the same body gets that answer (``replayed``) and writes
    nothing; the same key with another body is refused (422). A rejected
    batch stores nothing, so its corrected version may reuse the key."""
    rows = body.get("rows") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not rows:
        return SyncAnswer(
            400, _error(400, "invalid", _('Send {"rows": [...]} with 1 to 1,000 rows.'))
        )
    if len(rows) > MAX_ROWS:
        return SyncAnswer(413, _error(413, "batch_too_large", _("At most 1,000 rows per batch.")))
    if digest is None:
        digest = body_hash(body)
    try:
        return answer_once(
            ParticipationSync,
            district=district,
            key=key,
            digest=digest,
            rows=len(rows),
            user=user,
            write=lambda: SyncAnswer(
                201, post_participation(district=district, rows=rows, by=user).as_dict()
            ),
        )
    except BatchRejected as exc:
        return SyncAnswer(
            422,
            _error(
                422,
                "invalid_rows",
                _("%(n)d rows are invalid; nothing of this batch was written.")
                % {"n": len(exc.errors)},
                {"rows": exc.as_list()},
            ),
        )
    except IntegrityError:
        return SyncAnswer(
            409, _error(409, "conflict", _("A concurrent request changed these rows; resend."))
        )
