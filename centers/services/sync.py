"""Batch upserts of schools, teachers and staff: the district-sync API and
the Excel imports share them (all rows or none)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import batch
from core.audit import register_message
from core.batch import BatchRejected, BatchResult, RowErrors
from core.observability import observe_sync

SYNC_MESSAGE = register_message(
    "centers.sync",
    _("%(source)s sync: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"),
)

#: The most rows one sync request or one workbook may carry.
MAX_BATCH_ROWS = 5000


#: A refused batch (``core.batch.BatchRejected``): ``by_row()`` gives each
#: bad row's errors by field, as the API and the import preview show them.
BatchError = BatchRejected


def clean_rows(kind: str, rows) -> tuple[list[dict | None], RowErrors]:
    """Each row through its row form: the cleaned rows (None where invalid)
    and the errors by index."""
    from ..rows import ROW_FORMS, error_messages

    if not isinstance(rows, list | tuple):
        raise BatchRejected(message=_("Send a list of rows."))
    if len(rows) > MAX_BATCH_ROWS:
        raise BatchRejected(
            message=_("At most %(n)s rows in one batch; split it.") % {"n": MAX_BATCH_ROWS}
        )
    form_cls = ROW_FORMS[kind]
    cleaned, errors = [], RowErrors()
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            errors.add(index, "__all__", _("A row must be an object of fields."))
            cleaned.append(None)
            continue
        form = form_cls(data=raw)
        if form.is_valid():
            cleaned.append(form.cleaned_data)
        else:
            errors.add_fields(index, error_messages(form))
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
        errors.add(index, field, _("Name the %(what)s of this row.") % {"what": what})
        return None
    obj = _match(text, everything, *attrs)
    if obj is None:
        errors.add(index, field, _("Unknown: “%(value)s”.") % {"value": text})
        return None
    if obj.pk not in allowed:
        errors.add(
            index,
            field,
            _("This row belongs to %(org)s, outside your reach; nothing was written.")
            % {"org": obj},
        )
        return None
    return obj


def _upsert_batch(kind, model, fields, plan, *, user, rows, source, dry_run) -> BatchResult:
    """What every batch upsert shares (``core.batch.run_batch``): the rows
    through their forms, then ``plan`` checks them against the records and
    queues each write in an ``Upsert``, returning what the batch reached (for
    the audit). A bad row refuses the whole batch; otherwise the rows are
    written and the batch audited in one transaction (a dry run only counts
    them)."""
    from core.audit import record
    from core.models import AuditAction

    def check(rows, errors):
        cleaned, found = clean_rows(kind, rows)
        errors.extend(found)
        upsert = batch.Upsert(model, fields)
        scope_repr = plan(user, cleaned, errors, upsert)
        return upsert, scope_repr

    def write(checked):
        upsert, scope_repr = checked
        result = upsert.save()
        record(
            AuditAction.SYNC,
            actor=user,
            object_type=model._meta.label_lower,
            object_repr=f"{model._meta.verbose_name_plural} · {scope_repr}",
            key=SYNC_MESSAGE,
            params={
                "source": source,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return result

    checked = batch.run_batch(rows, check, write=write, dry_run=dry_run)
    return checked[0].result if dry_run else checked


SCHOOL_FIELDS = ["external_id", "name", "stage", "ownership", "address", "is_active"]


def _rows(kwargs) -> int:
    return len(kwargs.get("rows") or [])


@observe_sync("schools", rows_of=_rows)
def sync_schools(*, user, rows, source="api", dry_run=False) -> BatchResult:
    """Upsert schools keyed by (district, the district's own id): all rows
    or none. A school already known by name without an id adopts the id.
    Raises ``BatchError`` naming every bad row's index."""
    from ..models import School

    return _upsert_batch(
        "schools",
        School,
        SCHOOL_FIELDS,
        _plan_schools,
        user=user,
        rows=rows,
        source=source,
        dry_run=dry_run,
    )


def _plan_schools(user, cleaned, errors, upsert) -> str:
    from django.db.models import Q

    from ..models import District, School

    allowed = {d.pk: d for d in District.objects.restrict(user, "import_into")}
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
                errors.add(index, field, _("Same as row %(n)s of this batch.") % {"n": seen[key]})
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
            errors.add(
                index,
                "name",
                _("Another school of this district already has this name (id %(id)s).")
                % {"id": named.external_id},
            )
            continue
        upsert.put(obj, values, district=district)
    return "、".join(sorted({r["district_obj"].name for r in valid}))


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


@observe_sync("teachers", rows_of=_rows)
def sync_teachers(*, user, rows, source="api", dry_run=False) -> BatchResult:
    """Upsert teachers keyed by (district, the district's own id): all rows
    or none. The ID number stays unique across the federation: a row whose
    number belongs to another teacher is refused. Raises ``BatchError``."""
    from ..models import Teacher

    return _upsert_batch(
        "teachers",
        Teacher,
        TEACHER_FIELDS,
        _plan_teachers,
        user=user,
        rows=rows,
        source=source,
        dry_run=dry_run,
    )


def _plan_teachers(user, cleaned, errors, upsert) -> str:  # noqa: C901
    from django.db.models import Q

    from ..models import District, School, Teacher

    writable = School.objects.restrict(user, "import_into")
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
        )
        | Teacher.objects.with_id_number(*{r["id_number"] for r in valid})
    )
    by_key = {(t.district_id, t.external_id): t for t in existing if t.external_id}
    by_number = {t.id_number: t for t in existing}
    seen_keys, seen_numbers = {}, {}
    for index, row in enumerate(cleaned):
        if row is None or row.get("district_obj") is None:
            continue
        district = row["district_obj"]
        school = school_by_ref.get((district.pk, row["school"]))
        if school is None:
            errors.add(
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
                errors.add(index, field, _("Same as row %(n)s of this batch.") % {"n": seen[k]})
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
            errors.add(index, "id_number", message)
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
        upsert.put(obj, values)
    return "、".join(sorted({r["district_obj"].name for r in valid}))


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
    from ..models import StaffMember

    return _upsert_batch(
        "staff",
        StaffMember,
        STAFF_FIELDS,
        _plan_staff,
        user=user,
        rows=rows,
        source=source,
        dry_run=dry_run,
    )


def _plan_staff(user, cleaned, errors, upsert) -> str:
    from ..models import Center, StaffMember

    allowed = {c.pk: c for c in Center.objects.restrict(user, "keep")}
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
            errors.add(
                index,
                "external_id",
                _("Same as row %(n)s of this batch.") % {"n": seen[key]},
            )
        seen.setdefault(key, index)
        if row["left_on"] and row["hired_on"] and row["left_on"] < row["hired_on"]:
            errors.add(index, "left_on", _("Left before being hired."))
    valid = [r for r in cleaned if r and r.get("center_obj")]
    existing = {
        (s.center_id, s.external_id): s
        for s in StaffMember.objects.filter(
            center__in={r["center_obj"].pk for r in valid},
            external_id__in={r["external_id"] for r in valid},
        )
    }
    for index, row in enumerate(cleaned):
        if row is None or row.get("center_obj") is None or index in errors:
            continue
        values = {f: row[f] for f in STAFF_FIELDS}
        if values["left_on"]:
            values["is_active"] = False
        obj = existing.get((row["center_obj"].pk, row["external_id"]))
        upsert.put(obj, values, center=row["center_obj"])
    return "、".join(sorted({str(r["center_obj"]) for r in valid}))


BATCH_WRITERS = {"schools": sync_schools, "teachers": sync_teachers, "staff": import_staff}
