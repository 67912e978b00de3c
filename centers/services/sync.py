"""Batch upserts of schools, teachers and staff: the district-sync API and
the Excel imports share them (all rows or none)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    from ..rows import ROW_FORMS, error_messages

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

    from ..models import District, School
    from ..permissions import writable_districts

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

    from ..models import District, School, Teacher
    from ..permissions import writable_schools_q

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
            _add_error(
                errors,
                index,
                "id_number",
                _("This ID number belongs to another teacher record (%(where)s).")
                % {"where": holder.district if holder.district_id != district.pk else holder.name},
            )
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
    from ..models import Center, StaffMember
    from ..permissions import writable_centers

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
