"""Nominations (提名) by a school admin or a district's staff: one teacher at
a time (``services.apply``, pages and API) or a whole list at once
(``nominate_many``, the Excel nomination list of ``training.imports``).

The rules are the same for both:

* **Scope**: only teachers the nominator may nominate
  (``Teacher.objects.restrict(by, "nominate")``: a school admin their
  school's, district staff their district's). A teacher of another district
  or school reads exactly like an unknown number, so the answer never says
  where they are.
* **Sub-project**: one the nominator sees, approved or running, and open to
  the teacher's district.
* **Quota**: a district's (or school's) nominations — pending, enrolled or
  waitlisted enrolments — never exceed its quota on the sub-project. No
  quotas at all: the city shares the seats; quotas for other districts
  only: none for this one. Checked under a lock on the sub-project rows, so
  two lists sent at once cannot both take the last seats.
* **Duplicates**: one active enrolment per teacher and sub-project; a list
  naming a pair twice is refused at the second row.

A list is written all or nothing (``core.batch.run_batch``): any bad row
raises ``BatchRejected`` with every row's errors and nothing is written."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.fields import hash_id_number
from centers.models import Teacher
from core import audit, batch
from core.batch import BatchRejected, RowError
from core.models import AuditAction

from ..models import ACTIVE_ENROLLMENT, Enrollment, Quota, SubProject, SubProjectStatus

MAX_ROWS = 1000
OPEN_FOR_ENROLMENT = (SubProjectStatus.APPROVED, SubProjectStatus.RUNNING)
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")

NOMINATED_MESSAGE = audit.register_message(
    "training.nomination_list",
    gettext_lazy("Nomination list: %(created)s teachers nominated"),
)


def nominable_teachers(by):
    """The teachers ``by`` may nominate (the ``nominate`` rule of
    ``centers.teacher`` in ``training.permissions``)."""
    return Teacher.objects.restrict(by, "nominate")


class QuotaRoom:
    """The nominations left under the quotas of some sub-projects, read in
    two queries; ``take`` counts one more nomination or says why not."""

    def __init__(self, sub_ids):
        sub_ids = list(sub_ids)
        self.quotas: dict[int, list[Quota]] = {}
        for quota in Quota.objects.filter(subproject__in=sub_ids).select_related(
            "district", "school"
        ):
            self.quotas.setdefault(quota.subproject_id, []).append(quota)
        self.district_used: Counter = Counter()
        self.school_used: Counter = Counter()
        rows = (
            Enrollment.objects.filter(subproject__in=sub_ids, status__in=ACTIVE_ENROLLMENT)
            .values_list("subproject_id", "district_id", "school_id")
            .order_by()
        )
        for sub_id, district_id, school_id in rows:
            self.district_used[sub_id, district_id] += 1
            self.school_used[sub_id, school_id] += 1

    def refusal(self, sub_id, district_id, school_id) -> str | None:
        """Why one more nomination of this district and school does not fit,
        or None (and then it is counted)."""
        quotas = self.quotas.get(sub_id)
        if not quotas:
            self.district_used[sub_id, district_id] += 1
            self.school_used[sub_id, school_id] += 1
            return None
        own = [q for q in quotas if q.district_id == district_id]
        if not own:
            return _("Your district has no quota for this sub-project.")
        for quota in own:
            if quota.school_id is None:
                used = self.district_used[sub_id, district_id]
                org = quota.district
            elif quota.school_id == school_id:
                used = self.school_used[sub_id, school_id]
                org = quota.school
            else:
                continue
            if used >= quota.seats:
                return _(
                    "The quota of %(org)s for this sub-project (%(seats)s) is taken by its "
                    "nominations."
                ) % {"org": org, "seats": quota.seats}
        self.district_used[sub_id, district_id] += 1
        self.school_used[sub_id, school_id] += 1
        return None


def subproject_refusal(sub, teacher) -> tuple[str, str] | None:
    """(code, message) when this sub-project cannot take this teacher now."""
    if sub.status not in OPEN_FOR_ENROLMENT:
        return "closed", _("This sub-project is not open for enrolment.")
    if sub.district_id and sub.district_id != teacher.district_id:
        return "district", _("This sub-project is for teachers of %(district)s.") % {
            "district": sub.district
        }
    if not teacher.is_active:
        return "inactive", _("This teacher is no longer active.")
    return None


def _text(value, limit=100) -> str:
    return str(value if value is not None else "").strip()[:limit]


@dataclass
class NominationResult:
    created: int = 0
    rows: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"created": self.created}


def nominate_many(*, by, rows, subproject=None, dry_run=False) -> NominationResult:
    """Nominate every row's teacher for its sub-project, all or nothing.

    A row: ``teacher`` (the ID number or the district-system id),
    ``name`` (checked against the teacher's), ``subproject`` (its id or
    code; empty: ``subproject``). ``BatchRejected`` lists every bad row
    (index 0-based, field, message); a dry run checks and writes nothing.
    A row's ``row`` (its number in a workbook) names it in messages; else
    its index does."""

    def check(rows, errors):
        if not isinstance(rows, list) or not rows:
            raise BatchRejected([RowError(None, None, _("The list has no rows."))])
        if len(rows) > MAX_ROWS:
            raise BatchRejected(
                [RowError(None, None, _("At most %(n)s rows per list.") % {"n": MAX_ROWS})]
            )
        clean = []
        for index, row in enumerate(rows):
            row = row if isinstance(row, dict) else {}
            raw_number = _text(row.get("teacher"), 64)
            number = raw_number.upper()
            name = _text(row.get("name"), 50)
            target = _text(row.get("subproject"), 40)
            # Missing cells are told in ``resolve`` with the other rows'
            # errors (a step's errors stop the batch before the next step).
            missing = []
            if not number:
                missing.append(("teacher", _("Give the teacher's ID number or district id.")))
            if not name:
                missing.append(("name", _("Give the teacher's name.")))
            if not target and subproject is None:
                missing.append(("subproject", _("Give the sub-project's id or code.")))
            clean.append(
                {
                    "index": index,
                    "label": row.get("row", index),
                    "teacher": number,
                    "raw_teacher": raw_number,
                    "name": name,
                    "subproject": target,
                    "missing": missing,
                }
            )
        return clean

    def resolve(clean, errors):
        numbers = {r["teacher"] for r in clean} | {r["raw_teacher"] for r in clean}
        hashes = {hash_id_number(n) for n in numbers if _ID_NUMBER.match(n)}
        found = list(
            nominable_teachers(by)
            .filter(Q(external_id__in=numbers) | Q(id_number_hash__in=hashes))
            .only(
                "pk",
                "name",
                "external_id",
                "id_number_hash",
                "district_id",
                "school_id",
                "is_active",
            )
        )
        by_external, by_hash = {}, {}
        for teacher in found:
            if teacher.external_id:
                by_external.setdefault(teacher.external_id.upper(), []).append(teacher)
            by_hash[teacher.id_number_hash] = teacher

        targets = {r["subproject"] for r in clean if r["subproject"]}
        ids = {int(t) for t in targets if t.isdigit() and len(t) < 10}
        if subproject is not None:
            ids.add(subproject.pk)
        visible = SubProject.objects.restrict(by, "view").filter(
            Q(pk__in=ids) | Q(code__in=targets)
        )
        subs = list(visible.select_related("district").distinct())
        sub_ids = [s.pk for s in subs]
        if not dry_run and sub_ids:
            # The quota is read under the lock: two lists at once queue here.
            list(SubProject.objects.select_for_update().filter(pk__in=sub_ids).order_by("pk"))
        by_pk = {s.pk: s for s in subs}
        by_code: dict[str, list] = {}
        for s in subs:
            if s.code:
                by_code.setdefault(s.code.upper(), []).append(s)

        room = QuotaRoom(sub_ids)
        enrolled = set(
            Enrollment.objects.filter(subproject__in=sub_ids, teacher__in=[t.pk for t in found])
            .active()
            .values_list("subproject_id", "teacher_id")
        )
        seen = {}
        for row in clean:
            index = row["index"]
            for missing_field, message in row["missing"]:
                errors.add(index, missing_field, message)
            teacher = None
            if row["teacher"]:
                teacher = (
                    by_hash.get(hash_id_number(row["teacher"]))
                    if _ID_NUMBER.match(row["teacher"])
                    else None
                )
                matches = by_external.get(row["teacher"], [])
                if teacher is None and len(matches) > 1:
                    errors.add(
                        index,
                        "teacher",
                        _("Several of your teachers have this district id: give the ID number."),
                    )
                    continue
                teacher = teacher or (matches[0] if matches else None)
                if teacher is None:
                    errors.add(index, "teacher", _("No teacher you may nominate has this number."))
            if teacher is not None and row["name"] and row["name"] != teacher.name.strip():
                errors.add(
                    index, "name", _("The name does not match the teacher with this number.")
                )
                teacher = None
            sub = None
            if row["subproject"]:
                key = row["subproject"]
                sub = by_pk.get(int(key)) if key.isdigit() and len(key) < 10 else None
                if sub is None:
                    same = by_code.get(key.upper(), [])
                    if len(same) > 1:
                        errors.add(
                            index,
                            "subproject",
                            _("Several sub-projects have this code: give the sub-project's id."),
                        )
                        continue
                    sub = same[0] if same else None
                if sub is None:
                    errors.add(
                        index, "subproject", _("No sub-project open to you has this id or code.")
                    )
            elif subproject is not None:
                sub = by_pk.get(subproject.pk)
                if sub is None:
                    errors.add(
                        index, "subproject", _("No sub-project open to you has this id or code.")
                    )
            if teacher is None or sub is None:
                continue
            refused = subproject_refusal(sub, teacher)
            if refused:
                errors.add(index, "subproject", refused[1])
                continue
            pair = (sub.pk, teacher.pk)
            if pair in seen:
                errors.add(index, None, _("Repeats row %(n)s of the list.") % {"n": seen[pair]})
                continue
            seen[pair] = row["label"]
            if pair in enrolled:
                errors.add(
                    index,
                    None,
                    _("%(teacher)s is already enrolled in this sub-project.")
                    % {"teacher": teacher},
                )
                continue
            refused = room.refusal(sub.pk, teacher.district_id, teacher.school_id)
            if refused:
                errors.add(index, "subproject", refused)
                continue
            row["teacher_obj"], row["sub_obj"] = teacher, sub
        return clean

    def write(clean):
        now = timezone.now()
        new = [
            Enrollment(
                subproject=row["sub_obj"],
                teacher=row["teacher_obj"],
                district_id=row["teacher_obj"].district_id,
                school_id=row["teacher_obj"].school_id,
                nominated_by=by,
                applied_at=now,
            )
            for row in clean
        ]
        Enrollment.objects.bulk_create(new)
        audit.record(
            AuditAction.CREATE,
            actor=by,
            object_type="training.enrollment",
            object_repr=_("Nomination list: %(n)s") % {"n": len(new)},
            key=NOMINATED_MESSAGE,
            params={"created": len(new)},
        )
        return NominationResult(created=len(new), rows=new)

    value = batch.run_batch(rows, check, resolve, write=write, dry_run=dry_run)
    if dry_run:
        return NominationResult(created=0, rows=value)
    return value
