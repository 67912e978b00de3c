"""The ledger: every write goes through here. ``award_hours`` (one entry,
idempotent per activity and per external id), ``award_hours_bulk`` (many
at once, all or nothing), ``reverse_entry`` (the only correction)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.models import Teacher
from core import audit, batch
from core.models import AuditAction

from .. import bulk
from ..models import CreditActivity, CreditEntry
from . import standings
from .common import (
    CATEGORY_VALUES,
    SOURCE_VALUES,
    _check_earned_on,
    org_for,
    parse_hours,
)


@dataclass
class Award:
    entry: CreditEntry
    created: bool


def _add_to_balances(lines, places=None) -> None:
    """Add (teacher_id, earned_on, hours, category) lines to the balances, in the
    caller's transaction (one set-based upsert: ``bulk.add_to_balances``);
    the completion standings are refreshed after the commit. ``places``:
    the teachers' (district id, school id) pairs when the caller knows them
    (a batch does: ``standings.schedule_refresh_of``); else the teachers'
    districts are refreshed, looked up after the commit."""
    lines = list(lines)
    bulk.add_to_balances(lines)
    if places is not None:
        standings.schedule_refresh_of(places)
    else:
        standings.schedule_refresh(teacher_ids={line[0] for line in lines})


def _lock_activity(teacher_id, key) -> CreditActivity:
    CreditActivity.objects.get_or_create(teacher_id=teacher_id, key=key)
    return CreditActivity.objects.select_for_update().get(teacher_id=teacher_id, key=key)


def award_hours(
    *,
    teacher,
    hours,
    category,
    source,
    earned_on,
    registered_by=None,
    activity_key="",
    title="",
    evidence="",
    external_id="",
    org_kind=None,
    org_name=None,
) -> Award:
    """Post hours to a teacher's ledger.

    Idempotent per activity: if ``activity_key`` (``"training.subproject:123"``)
    already counts for the teacher, whichever source posted it, nothing is
    written and that entry is returned with ``created=False``; likewise for an
    ``external_id`` the district already sent. Raises ValidationError for bad
    hours, category, source or date."""
    hours = parse_hours(hours)
    if category not in CATEGORY_VALUES:
        raise ValidationError(_("Unknown category."), code="category")
    if source not in SOURCE_VALUES:
        raise ValidationError(_("Unknown source."), code="source")
    if isinstance(earned_on, str):
        try:
            earned_on = datetime.date.fromisoformat(earned_on)
        except ValueError as exc:
            raise ValidationError(_("A date as YYYY-MM-DD."), code="earned_on") from exc
    _check_earned_on(earned_on)
    activity_key = (activity_key or "").strip()
    if len(activity_key) > 100 or len(external_id or "") > 64:
        raise ValidationError(_("The activity key or external id is too long."), code="too_long")
    if org_kind is None:
        org_kind, default_name = org_for(registered_by)
        org_name = default_name if org_name is None else org_name
    with transaction.atomic():
        activity = None
        if external_id:
            existing = CreditEntry.objects.filter(
                district_id=teacher.district_id, external_id=external_id
            ).first()
            if existing is not None:
                return Award(existing, False)
        if activity_key:
            activity = _lock_activity(teacher.pk, activity_key)
            if activity.entry_id is not None:
                return Award(CreditEntry.objects.get(pk=activity.entry_id), False)
        now = timezone.now()
        entry = CreditEntry(
            teacher=teacher,
            district_id=teacher.district_id,
            source=source,
            category=category,
            hours=hours,
            earned_on=earned_on,
            title=title[:200],
            evidence=evidence[:300],
            activity_key=activity_key,
            generation=(activity.generation + 1) if activity else 0,
            external_id=external_id,
            registered_by=registered_by,
            org_kind=org_kind,
            org_name=(org_name or "")[:100],
            created_at=now,
            updated_at=now,
        )
        entry.save()
        _add_to_balances([(teacher.pk, earned_on, hours, category)])
        if activity is not None:
            activity.entry = entry
            activity.generation = entry.generation
            activity.save(update_fields=["entry", "generation"])
        audit.record(
            AuditAction.CREATE,
            entry,
            actor=registered_by,
            changes={"hours": hours, "category": category, "source": source},
        )
    return Award(entry, True)


def reverse_entry(*, entry, reason, by) -> CreditEntry:
    """Correct an entry by posting its reversal (the negated hours, same
    teacher, category and date). An entry is reversed at most once — the
    database refuses a second reversal — and a reversal is not reversed: post
    a new entry instead. The activity may then be awarded again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    org_kind, org_name = org_for(by)
    with transaction.atomic():
        original = CreditEntry.objects.select_for_update().get(pk=entry.pk)
        if original.is_reversal:
            raise ValidationError(
                _("A reversal cannot be reversed; post a new entry instead."), code="reversal"
            )
        now = timezone.now()
        reversal = CreditEntry(
            teacher_id=original.teacher_id,
            district_id=original.district_id,
            source=original.source,
            category=original.category,
            hours=-original.hours,
            earned_on=original.earned_on,
            title=original.title,
            activity_key=original.activity_key,
            generation=original.generation,
            reverses=original,
            reason=reason[:300],
            registered_by=by,
            org_kind=org_kind,
            org_name=org_name[:100],
            created_at=now,
            updated_at=now,
        )
        try:
            with transaction.atomic():
                reversal.save()
        except IntegrityError as exc:
            raise ValidationError(
                _("This entry has already been reversed."), code="already_reversed"
            ) from exc
        _add_to_balances(
            [(original.teacher_id, original.earned_on, reversal.hours, original.category)]
        )
        if original.activity_key:
            CreditActivity.objects.filter(
                teacher_id=original.teacher_id, key=original.activity_key, entry=original
            ).update(entry=None)
        audit.record(
            AuditAction.CREATE,
            reversal,
            actor=by,
            changes={"reverses": original.pk, "hours": reversal.hours},
            message=reason,
        )
    return reversal


def _bulk_post(rows, *, place_of, registered_by, org_kind, org_name):
    """Insert checked rows (dicts with ``teacher_id``, ``source``,
    ``category``, ``hours``, ``earned_on`` and optional ``title``,
    ``evidence``, ``activity_key``, ``external_id``) with a fixed number of
    queries; returns ("created" | "already_counted", entry id) per row.
    ``place_of(teacher id)``: the teacher's (district id, school id).

    Activities count once: the entries' ids are taken first (PostgreSQL),
    then the missing ``CreditActivity`` rows are created already pointing at
    the entry of the first row that names them, and the existing ones are
    locked, all in one statement and a fixed order; a row for an activity
    that counts already (or counted earlier in the same rows) writes
    nothing (its reserved id stays unused). The entries and the balances
    are then written set-based (``credits.bulk``: arrays and ``COPY`` on
    PostgreSQL, the ORM elsewhere); only activities that existed without a
    counting entry (reversed) — and, without reserved ids, the new ones —
    are pointed at their entry afterwards. Runs inside the caller's
    transaction.

    The outcomes are kept in two flat lists (status, entry id) rather than
    one small list per row: those were the batch's only per-row objects the
    garbage collector tracks and keeps (alive to the end of the batch, they
    reached its oldest generation and brought on its full collections)."""
    reserved = bulk.reserve_entry_ids(len(rows))
    first_row: dict = {}  # (teacher id, key) → index of the first row naming it
    for index, row in enumerate(rows):
        if row.get("activity_key"):
            first_row.setdefault((row["teacher_id"], row["activity_key"]), index)
    activities = bulk.claim_activities(
        {pair: reserved and reserved[index] for pair, index in first_row.items()}
    )
    statuses = ["created"] * len(rows)
    entry_ids: list = [None] * len(rows)
    new_rows, new_ids, created = [], [], []  # created: the rows' indexes, in new_rows' order
    repeats = []  # (index, index of the first row naming its activity)
    changes = []  # (activity id, position of its entry in new_rows, generation)
    places = set()  # the new entries' teachers' (district, school): standings to refresh
    for index, row in enumerate(rows):
        teacher_id = row["teacher_id"]
        key = row.get("activity_key") or ""
        generation = 0
        if key:
            pair = (teacher_id, key)
            first = first_row[pair]
            if first != index:  # counted by an earlier row of these
                statuses[index] = "already_counted"
                repeats.append((index, first))
                continue
            activity_id, counting, generation, created_here = activities[pair]
            if not (created_here and counting is not None):  # else: it points at this row
                if counting is not None:
                    statuses[index], entry_ids[index] = "already_counted", counting
                    continue
                generation += 1
                changes.append((activity_id, len(new_rows), generation))
        place = place_of(teacher_id)
        places.add(place)
        new_rows.append(
            (
                teacher_id,
                place[0],
                row["source"],
                row["category"],
                row["hours"],
                row["earned_on"],
                (row.get("title") or "")[:200],
                (row.get("evidence") or "")[:300],
                key,
                generation,
                row.get("external_id") or "",
            )
        )
        if reserved:
            new_ids.append(reserved[index])
        created.append(index)
    ids = bulk.insert_entries(
        new_rows,
        registered_by_id=getattr(registered_by, "pk", None),
        org_kind=org_kind,
        org_name=(org_name or "")[:100],
        ids=new_ids if reserved else None,
    )
    # Only the schools of the rows' teachers (``place_of``) change standings:
    # those are refreshed, with no look-up of the teachers after the commit.
    _add_to_balances([(r[0], r[5], r[4], r[3]) for r in new_rows], places=places)
    for index, entry_id in zip(created, ids, strict=True):
        entry_ids[index] = entry_id
    for index, first in repeats:
        entry_ids[index] = entry_ids[first]
    bulk.set_counting_entries([(a, ids[position], g) for a, position, g in changes])
    return list(zip(statuses, entry_ids, strict=True))


def award_hours_bulk(*, awards, registered_by=None, org_kind=None, org_name=None) -> list[dict]:
    """``award_hours`` for many teachers at once (a sub-project's completion
    for its whole class): each award is a dict with ``teacher`` (a Teacher or
    its id), ``hours``, ``category``, ``source``, ``earned_on`` and optional
    ``activity_key``, ``title``, ``evidence``. All or nothing (``core.batch.run_batch``):
    bad awards raise BatchRejected by index. Returns, per award, ``{"status": "created" |
    "already_counted", "id": entry id}``; a fixed number of queries."""

    def check(awards, errors):
        rows = []
        today = timezone.localdate()
        for index, award in enumerate(awards):
            teacher = award.get("teacher")
            teacher_id = getattr(teacher, "pk", teacher)
            try:
                hours = parse_hours(award.get("hours"))
                if award.get("category") not in CATEGORY_VALUES:
                    raise ValidationError(_("Unknown category."))
                if award.get("source") not in SOURCE_VALUES:
                    raise ValidationError(_("Unknown source."))
                _check_earned_on(award["earned_on"], today)
            except (ValidationError, KeyError, TypeError) as exc:
                message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                errors.add(index, None, message)
                continue
            rows.append(
                dict(
                    award,
                    teacher_id=teacher_id,
                    hours=hours,
                    activity_key=(award.get("activity_key") or "").strip(),
                )
            )
        return rows

    def find_teachers(rows, errors):
        places = {
            pk: (district_id, school_id)
            for pk, district_id, school_id in Teacher.objects.filter(
                pk__in={r["teacher_id"] for r in rows}
            ).values_list("pk", "district_id", "school_id")
        }
        for i, r in enumerate(rows):
            if r["teacher_id"] not in places:
                errors.add(i, "teacher", _("No such teacher."))
        return rows, places

    def write(checked):
        rows, places = checked
        kind, name = org_kind, org_name
        if kind is None:
            kind, default_name = org_for(registered_by)
            name = default_name if name is None else name
        outcomes = _bulk_post(
            rows,
            place_of=places.__getitem__,
            registered_by=registered_by,
            org_kind=kind,
            org_name=name,
        )
        created = sum(1 for status, _id in outcomes if status == "created")
        if created:
            audit.record(
                AuditAction.CREATE,
                actor=registered_by,
                object_type="credits.creditentry",
                object_repr=f"{created} entries",
                key=audit.register_message(
                    "credits.bulk_award",
                    gettext_lazy(
                        "Hours posted: %(created)s entries created, %(counted)s already counted"
                    ),
                ),
                params={"created": created, "counted": len(outcomes) - created},
            )
        return outcomes

    outcomes = batch.run_batch(awards, check, find_teachers, write=write)
    return [{"status": status, "id": entry_id} for status, entry_id in outcomes]
