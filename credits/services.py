"""The rules of learning-hour credits, called by pages, the API, tasks and
other apps (training and studios post hours through ``award_hours``).

Every write to the ledger goes through here: ``award_hours`` (one entry,
idempotent per activity and per external id), ``reverse_entry`` (the only
correction), ``post_batch`` / ``sync_batch`` (a district system's batch,
all-or-nothing, idempotent per key). Reads that sum hours run in the
database: ``teacher_summary`` in a fixed handful of queries, ``completion``
as one aggregate per policy, ``annotate_progress`` for lists of teachers.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Center, District, School, Teacher
from core import audit
from core.models import AuditAction, Membership
from core.permissions import get_scope
from core.roles import Role

from . import bulk
from .models import (
    Category,
    CategoryMinimum,
    ClaimEvidence,
    ClaimStatus,
    CreditActivity,
    CreditBalance,
    CreditClaim,
    CreditEntry,
    CreditPolicy,
    OrgKind,
    Reminder,
    ReminderKind,
    Source,
    SyncRequest,
    Transcript,
)
from .validators import validate_evidence_file

ZERO = Decimal("0")
TENTH = Decimal("0.1")
MAX_ENTRY_HOURS = Decimal("1000")
MAX_BATCH = 1000
CATEGORY_VALUES = frozenset(Category.values)
SOURCE_VALUES = frozenset(Source.values)
HOURS_FIELD = DecimalField(max_digits=9, decimal_places=1)


class BatchRejected(Exception):
    """A batch with bad rows: ``errors`` lists each by index; nothing written."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


# --- Small helpers ---------------------------------------------------------------


def as_hours(value) -> Decimal:
    """A sum read back from the database as hours with one decimal (SQLite
    returns sums of decimals as floats)."""
    return Decimal(str(value or 0)).quantize(TENTH)


def parse_hours(value) -> Decimal:
    """Hours as a positive Decimal with at most one decimal place; floats are
    read through their text so 1.1 stays 1.1."""
    if isinstance(value, bool):
        raise ValidationError(_("Hours must be a number."), code="hours")
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Hours must be a number."), code="hours") from exc
    if not hours.is_finite() or hours <= ZERO:
        raise ValidationError(_("Hours must be more than zero."), code="hours")
    if hours > MAX_ENTRY_HOURS:
        raise ValidationError(_("One entry may hold at most 1,000 hours."), code="hours")
    if hours != hours.quantize(TENTH, rounding=ROUND_HALF_UP):
        raise ValidationError(_("Hours have at most one decimal place."), code="hours")
    return hours.quantize(TENTH)


def _check_earned_on(earned_on, today=None):
    today = today or timezone.localdate()
    if earned_on > today:
        raise ValidationError(_("Hours cannot be earned in the future."), code="earned_on")
    if earned_on.year < 2000:
        raise ValidationError(_("The date is too far in the past."), code="earned_on")


def org_for(user) -> tuple[str, str]:
    """The organisation a user registers hours for: (kind, name)."""
    if user is None:
        return OrgKind.PORTAL, ""
    scope = get_scope(user)
    for role, kind, model in (
        (Role.DISTRICT_SYSTEM, OrgKind.SYSTEM, District),
        (Role.DISTRICT_STAFF, OrgKind.DISTRICT, District),
        (Role.CENTER_STAFF, OrgKind.CENTER, Center),
        (Role.SCHOOL_ADMIN, OrgKind.SCHOOL, School),
    ):
        ids = scope.ids(role)
        if ids:
            name = model.objects.filter(pk__in=ids).values_list("name", flat=True).first()
            return kind, name or ""
    return OrgKind.PORTAL, ""


# --- Policy -----------------------------------------------------------------------


def policy_for(district_id, on=None) -> CreditPolicy | None:
    """The policy in force for a district on a day: the district's own if it
    has one, else the city's; the latest started if none covers the day."""
    on = on or timezone.localdate()
    candidates = (
        CreditPolicy.objects.filter(is_active=True, cycle_start__lte=on)
        .filter(Q(district_id=district_id) | Q(district__isnull=True))
        .prefetch_related("minimums")
        .annotate(
            covers=Case(When(cycle_end__gte=on, then=Value(1)), default=Value(0)),
            own=Case(When(district__isnull=False, then=Value(1)), default=Value(0)),
        )
        .order_by("-covers", "-own", "-cycle_start")
    )
    return candidates.first()


@dataclass
class PolicyMap:
    """Which policy holds in which district (the city's unless overridden)."""

    city: CreditPolicy | None
    overrides: dict[int, CreditPolicy]

    def for_district(self, district_id):
        return self.overrides.get(district_id, self.city)

    def groups(self, district_ids) -> list[tuple[CreditPolicy, list[int]]]:
        by_policy: dict[int, tuple[CreditPolicy, list[int]]] = {}
        for district_id in district_ids:
            policy = self.for_district(district_id)
            if policy is not None:
                by_policy.setdefault(policy.pk, (policy, []))[1].append(district_id)
        return list(by_policy.values())


def policy_map(on=None) -> PolicyMap:
    """Every district's policy in one query."""
    on = on or timezone.localdate()
    best: dict[int | None, CreditPolicy] = {}
    policies = CreditPolicy.objects.filter(is_active=True, cycle_start__lte=on).order_by(
        "cycle_start"
    )
    for policy in policies:
        current = best.get(policy.district_id)
        covers = policy.cycle_end >= on
        if current is None or covers or current.cycle_end < on:
            best[policy.district_id] = policy
    city = best.pop(None, None)
    return PolicyMap(city=city, overrides=best)


# --- The ledger ---------------------------------------------------------------------


@dataclass
class Award:
    entry: CreditEntry
    created: bool


def _add_to_balances(lines) -> None:
    """Add (teacher_id, earned_on, hours) lines to the balances, in the
    caller's transaction (one set-based upsert: ``bulk.add_to_balances``)."""
    bulk.add_to_balances(lines)


def rebuild_balances(policy) -> int:
    """Recompute a policy's balances from the ledger (one aggregate); run
    when a policy is created or its cycle changes. Returns the teachers."""
    table = CreditBalance._meta.db_table
    entries = CreditEntry._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE policy_id = %s", [policy.pk])
        if not policy.is_active:
            return 0
        cursor.execute(
            f"INSERT INTO {table} (policy_id, teacher_id, hours, updated_at) "
            f"SELECT %s, teacher_id, ROUND(SUM(hours), 1), %s FROM {entries} "
            f"WHERE earned_on >= %s AND earned_on <= %s GROUP BY teacher_id",
            [policy.pk, timezone.now(), policy.cycle_start, policy.cycle_end],
        )
        return cursor.rowcount


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
        _add_to_balances([(teacher.pk, earned_on, hours)])
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
        _add_to_balances([(original.teacher_id, original.earned_on, reversal.hours)])
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


# --- District sync ----------------------------------------------------------------------

BATCH_FIELDS = frozenset(
    {
        "external_id",
        "teacher",
        "category",
        "source",
        "hours",
        "earned_on",
        "title",
        "evidence",
        "activity_key",
    }
)


def _text(row, name, limit, errors, index, required=False):
    value = row.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        errors.append({"index": index, "field": name, "message": _("Must be text.")})
        return ""
    value = str(value).strip()
    if required and not value:
        errors.append({"index": index, "field": name, "message": _("This field is required.")})
    elif len(value) > limit:
        errors.append(
            {
                "index": index,
                "field": name,
                "message": _("At most %(n)d characters.") % {"n": limit},
            }
        )
    elif "\x00" in value:  # a database text cannot hold it
        errors.append(
            {"index": index, "field": name, "message": _("Must not contain NUL characters.")}
        )
    return value


def validate_batch_rows(rows, today=None) -> tuple[list[dict], list[dict]]:
    """Check every row without touching the database: (clean rows, errors)."""
    today = today or timezone.localdate()
    clean, errors = [], []
    seen = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append({"index": index, "field": None, "message": _("Each row is an object.")})
            continue
        unknown = set(row) - BATCH_FIELDS
        if unknown:
            errors.append(
                {
                    "index": index,
                    "field": sorted(unknown)[0],
                    "message": _("Unknown field."),
                }
            )
        external_id = _text(row, "external_id", 64, errors, index, required=True)
        teacher = _text(row, "teacher", 64, errors, index, required=True)
        category = row.get("category")
        if category not in CATEGORY_VALUES:
            errors.append(
                {
                    "index": index,
                    "field": "category",
                    "message": _("One of: %(values)s.") % {"values": ", ".join(Category.values)},
                }
            )
        source = row.get("source") or Source.EXTERNAL
        if source not in SOURCE_VALUES or source == Source.CLAIM:
            errors.append(
                {
                    "index": index,
                    "field": "source",
                    "message": _("One of: %(values)s.")
                    % {"values": ", ".join(v for v in Source.values if v != Source.CLAIM)},
                }
            )
        hours = None
        try:
            hours = parse_hours(row.get("hours"))
        except ValidationError as exc:
            errors.append({"index": index, "field": "hours", "message": exc.messages[0]})
        earned_on = None
        try:
            earned_on = datetime.date.fromisoformat(str(row.get("earned_on") or ""))
            _check_earned_on(earned_on, today)
        except ValueError:
            errors.append(
                {
                    "index": index,
                    "field": "earned_on",
                    "message": _("A date as YYYY-MM-DD."),
                }
            )
        except ValidationError as exc:
            errors.append({"index": index, "field": "earned_on", "message": exc.messages[0]})
        title = _text(row, "title", 200, errors, index)
        evidence = _text(row, "evidence", 300, errors, index)
        activity_key = _text(row, "activity_key", 100, errors, index)
        if external_id:
            if external_id in seen:
                errors.append(
                    {
                        "index": index,
                        "field": "external_id",
                        "message": _("Repeats row %(n)d of this batch.") % {"n": seen[external_id]},
                    }
                )
            else:
                seen[external_id] = index
        clean.append(
            {
                "index": index,
                "external_id": external_id,
                "teacher": teacher,
                "category": category,
                "source": source,
                "hours": hours,
                "earned_on": earned_on,
                "title": title,
                "evidence": evidence,
                "activity_key": activity_key,
            }
        )
    return clean, errors


@dataclass
class BatchResult:
    results: list[dict] = field(default_factory=list)
    created: int = 0
    existing: int = 0
    already_counted: int = 0

    def as_dict(self):
        return {
            "batch": {
                "received": len(self.results),
                "created": self.created,
                "existing": self.existing,
                "already_counted": self.already_counted,
            },
            "results": self.results,
        }


def _bulk_post(rows, *, district_of, registered_by, org_kind, org_name):
    """Insert checked rows (dicts with ``teacher_id``, ``source``,
    ``category``, ``hours``, ``earned_on`` and optional ``title``,
    ``evidence``, ``activity_key``, ``external_id``) with a fixed number of
    queries; returns ("created" | "already_counted", entry id) per row.

    Activities count once: their ``CreditActivity`` rows are created if
    missing and locked together, in a fixed order; a row for an activity that
    counts already (or counted earlier in the same rows) writes nothing. The
    entries, the balances and the activities are then written set-based
    (``credits.bulk``: arrays and ``COPY`` on PostgreSQL, the ORM elsewhere).
    Runs inside the caller's transaction."""
    activities = bulk.lock_activities(
        (r["teacher_id"], r["activity_key"]) for r in rows if r.get("activity_key")
    )
    outcomes: list[list] = []
    new_rows, created_slots, first_in_rows = [], [], {}
    for row in rows:
        teacher_id = row["teacher_id"]
        key = row.get("activity_key") or ""
        outcome = ["created", None]
        outcomes.append(outcome)
        generation = 0
        if key:
            pair = (teacher_id, key)
            _activity_id, counting, generation = activities[pair]
            if counting is not None:
                outcome[:] = ["already_counted", counting]
                continue
            if pair in first_in_rows:
                outcome[0] = "already_counted"
                first_in_rows[pair][1].append(outcome)
                continue
            generation += 1
            first_in_rows[pair] = (len(new_rows), [])
        new_rows.append(
            (
                teacher_id,
                district_of(teacher_id),
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
        created_slots.append(outcome)
    ids = bulk.insert_entries(
        new_rows,
        registered_by_id=getattr(registered_by, "pk", None),
        org_kind=org_kind,
        org_name=(org_name or "")[:100],
    )
    _add_to_balances([(r[0], r[5], r[4]) for r in new_rows])
    for outcome, entry_id in zip(created_slots, ids, strict=True):
        outcome[1] = entry_id
    changes = []
    for pair, (position, duplicates) in first_in_rows.items():
        entry_id = ids[position]
        changes.append((activities[pair][0], entry_id, new_rows[position][9]))
        for outcome in duplicates:
            outcome[1] = entry_id
    bulk.set_counting_entries(changes)
    return [tuple(o) for o in outcomes]


def award_hours_bulk(*, awards, registered_by=None, org_kind=None, org_name=None) -> list[dict]:
    """``award_hours`` for many teachers at once (a sub-project's completion
    for its whole class): each award is a dict with ``teacher`` (a Teacher or
    its id), ``hours``, ``category``, ``source``, ``earned_on`` and optional
    ``activity_key``, ``title``, ``evidence``. All or nothing: bad awards raise
    BatchRejected by index. Returns, per award, ``{"status": "created" |
    "already_counted", "id": entry id}``; a fixed number of queries."""
    errors, rows = [], []
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
            errors.append({"index": index, "field": None, "message": message})
            continue
        rows.append(
            dict(
                award,
                teacher_id=teacher_id,
                hours=hours,
                activity_key=(award.get("activity_key") or "").strip(),
            )
        )
    if errors:
        raise BatchRejected(errors)
    if org_kind is None:
        org_kind, default_name = org_for(registered_by)
        org_name = default_name if org_name is None else org_name
    with transaction.atomic():
        districts = dict(
            Teacher.objects.filter(pk__in={r["teacher_id"] for r in rows}).values_list(
                "pk", "district_id"
            )
        )
        missing = [i for i, r in enumerate(rows) if r["teacher_id"] not in districts]
        if missing:
            raise BatchRejected(
                [
                    {"index": i, "field": "teacher", "message": _("No such teacher.")}
                    for i in missing
                ]
            )
        outcomes = _bulk_post(
            rows,
            district_of=districts.__getitem__,
            registered_by=registered_by,
            org_kind=org_kind,
            org_name=org_name,
        )
        created = sum(1 for status, _id in outcomes if status == "created")
        if created:
            audit.record(
                AuditAction.CREATE,
                actor=registered_by,
                object_type="credits.creditentry",
                object_repr=f"{created} entries",
                message=f"bulk award: {created} created, {len(outcomes) - created} already counted",
            )
    return [{"status": status, "id": entry_id} for status, entry_id in outcomes]


def post_batch(*, district, rows, registered_by=None, org_name=None) -> BatchResult:
    """Post a district system's rows (dicts with ``external_id``, ``teacher``
    — the teacher's id in the district's system — ``category``, ``hours``,
    ``earned_on`` and optional ``source``, ``title``, ``evidence``,
    ``activity_key``) in one transaction with a fixed number of queries.

    All or nothing: a bad row raises BatchRejected listing each bad row by
    index. A row whose ``external_id`` the district already sent is
    ``existing``; a row for an activity that already counts for the teacher
    is ``already_counted``; neither writes anything."""
    if len(rows) > MAX_BATCH:
        raise BatchRejected(
            [{"index": None, "field": None, "message": _("At most 1,000 rows per batch.")}]
        )
    clean, errors = validate_batch_rows(rows)
    if errors:
        raise BatchRejected(errors)
    result = BatchResult()
    org_name = district.name if org_name is None else org_name
    with transaction.atomic():
        teacher_ids = bulk.teacher_ids(district.pk, [r["teacher"] for r in clean])
        for row in clean:
            if row["teacher"] not in teacher_ids:
                errors.append(
                    {
                        "index": row["index"],
                        "field": "teacher",
                        "message": _("No teacher with this id in your district."),
                    }
                )
        if errors:
            raise BatchRejected(errors)
        existing = bulk.sent_entries(district.pk, [r["external_id"] for r in clean])
        items = []
        for row in clean:
            external_id = row["external_id"]
            item = {"index": row["index"], "external_id": external_id}
            result.results.append(item)
            if external_id in existing:
                item["status"] = "existing"
                item["id"] = existing[external_id]
                result.existing += 1
                continue
            row["teacher_id"] = teacher_ids[row["teacher"]]
            items.append((item, row))
        outcomes = _bulk_post(
            [row for _item, row in items],
            district_of=lambda teacher_id: district.pk,
            registered_by=registered_by,
            org_kind=OrgKind.SYSTEM,
            org_name=org_name,
        )
        for (item, _row), (status, entry_id) in zip(items, outcomes, strict=True):
            item["status"] = status
            item["id"] = entry_id
            if status == "created":
                result.created += 1
            else:
                result.already_counted += 1
        if result.created:
            audit.record(
                AuditAction.SYNC,
                actor=registered_by,
                object_type="credits.creditentry",
                object_repr=f"{district.name}: {result.created}",
                message=(
                    f"district sync: {result.created} created, {result.existing} existing, "
                    f"{result.already_counted} already counted"
                ),
            )
    return result


SYNC_REQUEST_DAYS = 90


def purge_sync_requests(now=None) -> int:
    """Forget idempotency keys older than 90 days (a resend that late is
    still harmless: known external ids answer ``existing``)."""
    now = now or timezone.now()
    deleted, _ = SyncRequest.objects.filter(
        created_at__lt=now - datetime.timedelta(days=SYNC_REQUEST_DAYS)
    ).delete()
    return deleted


def body_hash(body) -> str:
    """The fingerprint of a batch given as data (a service call): SHA-256 of
    its canonical JSON. The API fingerprints the request's bytes instead
    (``request_hash``): a resend is the same request, byte for byte."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def request_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def encode_json(body) -> str:
    """Compact JSON, as stored with the key and as answered."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


@dataclass
class SyncAnswer:
    status: int
    body: dict
    replayed: bool = False
    # The body's JSON text once encoded; a replay carries the stored text.
    stored: str | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The answer as compact JSON, encoded once (stored and sent)."""
        if self.stored is None:
            self.stored = encode_json(self.body)
        return self.stored

    @property
    def content(self) -> bytes:
        return self.text.encode()


KEY_REUSED = "idempotency_key_reused"


def sync_batch(*, district, key, body, user=None, digest=None) -> SyncAnswer:
    """A district system's batch under an ``Idempotency-Key``.

    The first request with a key runs ``post_batch`` and stores its answer
    with the key in the same transaction; a resend with the same body gets
    that answer back (``replayed``) and writes nothing; the same key with
    another body is refused (422). A rejected batch stores nothing, so the
    corrected batch may reuse its key. Two concurrent requests with one key
    queue on the key's unique index: the second sees the first's answer.

    ``digest`` is the body's fingerprint when the caller has one (the API:
    ``request_hash`` of the request's bytes); otherwise ``body_hash(body)``."""
    rows = body.get("entries") if isinstance(body, dict) else body
    if not isinstance(rows, list) or not rows:
        return SyncAnswer(
            400,
            _error(400, "invalid", _('Send {"entries": [...]} with 1 to 1,000 rows.')),
        )
    if len(rows) > MAX_BATCH:
        return SyncAnswer(413, _error(413, "batch_too_large", _("At most 1,000 rows per batch.")))
    if digest is None:
        digest = body_hash(body)
    try:
        with transaction.atomic():
            claimed = _claim_key(district, key, digest, len(rows), user)
            if not isinstance(claimed, int):
                known_hash, status, response = claimed
                if known_hash != digest:
                    return SyncAnswer(
                        422,
                        _error(
                            422,
                            KEY_REUSED,
                            _(
                                "This Idempotency-Key was already used for a different batch. "
                                "Use a new key for new data."
                            ),
                        ),
                    )
                return SyncAnswer(status, json.loads(response), replayed=True, stored=response)
            result = post_batch(district=district, rows=rows, registered_by=user)
            answer = SyncAnswer(201, result.as_dict())
            _store_answer(claimed, answer)
            return answer
    except BatchRejected as exc:
        return SyncAnswer(
            422,
            _error(
                422,
                "invalid_rows",
                _("%(n)d rows are invalid; nothing of this batch was written.")
                % {"n": len(exc.errors)},
                {"rows": exc.errors},
            ),
        )
    except IntegrityError:
        # Another request posted one of these external ids at the same time.
        return SyncAnswer(409, _conflict())


def _conflict():
    return _error(409, "conflict", _("A concurrent request changed these entries; resend."))


def _claim_key(district, key, digest, rows, user):
    """Record the key, or find it: the new record's id (int) if this request
    claimed the key, else (body hash, status code, answer) of the request
    that did. A concurrent request with the key waits here until the first
    commits (then sees it) or rolls back (then claims the key)."""
    if not bulk.is_postgres():
        record, created = SyncRequest.objects.get_or_create(
            district=district,
            key=key,
            defaults={
                "body_hash": digest,
                "status_code": 0,
                "response": "",
                "rows": rows,
                "created_by": user,
            },
        )
        if created:
            return record.pk
        return record.body_hash, record.status_code, record.response
    table = SyncRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "
            '(district_id, "key", body_hash, status_code, response, "rows", created_by_id, '
            "created_at) "
            "VALUES (%s, %s, %s, 0, '', %s, %s, %s) "
            'ON CONFLICT (district_id, "key") DO NOTHING RETURNING id',
            [district.pk, key, digest, rows, getattr(user, "pk", None), timezone.now()],
        )
        inserted = cursor.fetchone()
        if inserted is not None:
            return inserted[0]
        cursor.execute(
            f"SELECT body_hash, status_code, response FROM {table} "
            'WHERE district_id = %s AND "key" = %s',
            [district.pk, key],
        )
        found = cursor.fetchone()
    if found is None:  # purged in between: let the client resend
        raise IntegrityError("idempotency key vanished")
    return found


def _store_answer(record_id, answer) -> None:
    """Keep the answer's text with the key: a resend gets the same bytes."""
    SyncRequest.objects.filter(pk=record_id).update(status_code=answer.status, response=answer.text)


def _error(status, code, message, details=None):
    body = {"error": {"status": status, "code": code, "message": str(message)}}
    if details:
        body["error"]["details"] = details
    return body


# --- Summaries -------------------------------------------------------------------------


@dataclass
class CategoryLine:
    category: str
    label: str
    hours: Decimal
    minimum: Decimal | None

    @property
    def met(self):
        return self.minimum is None or self.hours >= self.minimum

    @property
    def percent(self):
        if not self.minimum:
            return 100
        return min(100, int(self.hours * 100 / self.minimum))


@dataclass
class Summary:
    teacher: Teacher
    policy: CreditPolicy | None
    total: Decimal = ZERO
    by_category: list[CategoryLine] = field(default_factory=list)
    pending_count: int = 0
    pending_hours: Decimal = ZERO
    on: datetime.date | None = None

    @property
    def required(self):
        return self.policy.total_hours if self.policy else ZERO

    @property
    def remaining(self):
        return max(ZERO, self.required - self.total)

    @property
    def percent(self):
        if not self.required:
            return 0
        return max(0, min(100, int(self.total * 100 / self.required)))

    @property
    def complete(self):
        return (
            bool(self.policy)
            and self.total >= self.required
            and all(line.met for line in self.by_category)
        )

    @property
    def projected(self):
        if not self.policy:
            return ZERO
        elapsed = self.policy.elapsed_days(self.on)
        if elapsed <= 0:
            return ZERO
        return (self.total * self.policy.cycle_days / elapsed).quantize(TENTH)

    @property
    def at_risk(self):
        return bool(self.policy) and self.total < self.required and self.projected < self.required


def teacher_summary(teacher, on=None) -> Summary:
    """Hours this cycle against the policy, by category against each
    minimum, and pending claims: four queries whatever the ledger's size."""
    on = on or timezone.localdate()
    policy = policy_for(teacher.district_id, on)  # 2 queries (with minimums)
    summary = Summary(teacher=teacher, policy=policy, on=on)
    if policy is not None:
        sums = dict(
            CreditEntry.objects.filter(teacher=teacher)
            .in_cycle(policy)
            .order_by()
            .values_list("category")
            .annotate(total=Sum("hours"))
        )
        minimums = {m.category: m.hours for m in policy.minimums.all()}
        for value, label in Category.choices:
            hours = as_hours(sums.get(value))
            if hours or value in minimums:
                summary.by_category.append(CategoryLine(value, label, hours, minimums.get(value)))
        summary.total = sum((line.hours for line in summary.by_category), ZERO)
    pending = (
        CreditClaim.objects.filter(teacher=teacher)
        .pending()
        .aggregate(n=Count("id"), hours=Sum("hours"))
    )
    summary.pending_count = pending["n"]
    summary.pending_hours = as_hours(pending["hours"])
    return summary


def _policy_case(policy_map_, attr, output_field):
    """A per-teacher value of the policy in force in the teacher's district."""
    city = policy_map_.city
    default = Value(getattr(city, attr) if city else None, output_field=output_field)
    if not policy_map_.overrides:
        return default
    return Case(
        *[
            When(district_id=district_id, then=Value(getattr(p, attr), output_field=output_field))
            for district_id, p in policy_map_.overrides.items()
        ],
        default=default,
        output_field=output_field,
    )


def annotate_progress(teachers, on=None, pmap=None):
    """Annotate teachers with ``cycle_hours``, ``required``, ``cycle_days``
    and ``elapsed`` of the policy in force in their district: one look-up per
    teacher in the balances' (policy, teacher) unique index."""
    on = on or timezone.localdate()
    pmap = pmap or policy_map(on)
    if pmap.city is None and not pmap.overrides:
        # No policy: nothing to measure against; the same columns, no rows.
        return teachers.annotate(
            cycle_hours=Value(ZERO, output_field=HOURS_FIELD),
            required=Value(ZERO, output_field=HOURS_FIELD),
            cycle_days=Value(1),
            elapsed=Value(0),
        ).none()
    teachers = teachers.annotate(
        c_policy=_policy_case(pmap, "pk", IntegerField()),
        required=_policy_case(pmap, "total_hours", HOURS_FIELD),
        cycle_days=_policy_case(pmap, "cycle_days", IntegerField()),
        elapsed=_policy_case(_ElapsedMap(pmap, on), "elapsed", IntegerField()),
    )
    hours = CreditBalance.objects.filter(teacher=OuterRef("pk"), policy=OuterRef("c_policy"))
    return teachers.annotate(
        cycle_hours=Round(
            Coalesce(
                Subquery(hours.values("hours")[:1], output_field=HOURS_FIELD),
                Value(ZERO),
                output_field=HOURS_FIELD,
            ),
            1,
            output_field=HOURS_FIELD,
        )
    )


class _ElapsedMap:
    """A PolicyMap look-alike whose policies answer ``elapsed`` for a day."""

    class _P:
        def __init__(self, policy, on):
            self.elapsed = policy.elapsed_days(on)

    def __init__(self, pmap, on):
        self.city = self._P(pmap.city, on) if pmap.city else None
        self.overrides = {d: self._P(p, on) for d, p in pmap.overrides.items()}


def at_risk(teachers, on=None, pmap=None):
    """Teachers who have not met the total and whose pace so far projects a
    total under it at the cycle's end: hours × cycle days < required ×
    elapsed days."""
    pmap = pmap or policy_map(on)
    teachers = annotate_progress(teachers, on, pmap)
    if pmap.city is None and not pmap.overrides:
        return teachers
    return teachers.alias(
        pace=ExpressionWrapper(F("cycle_hours") * F("cycle_days"), output_field=HOURS_FIELD),
        needed=ExpressionWrapper(F("required") * F("elapsed"), output_field=HOURS_FIELD),
    ).filter(cycle_hours__lt=F("required"), pace__lt=F("needed"))


def projected_hours(teacher) -> Decimal:
    """For a teacher annotated by ``annotate_progress``."""
    if not getattr(teacher, "elapsed", 0):
        return ZERO
    return (as_hours(teacher.cycle_hours) * teacher.cycle_days / teacher.elapsed).quantize(TENTH)


# --- Completion -----------------------------------------------------------------------------


@dataclass
class CompletionRow:
    key: int
    name: str
    teachers: int = 0
    complete: int = 0
    at_risk: int = 0
    hours: Decimal = ZERO
    order: int = 0

    @property
    def rate(self):
        return (self.complete / self.teachers) if self.teachers else None

    @property
    def average(self):
        return (self.hours / self.teachers).quantize(TENTH) if self.teachers else ZERO


def completion(*, by="school", district_ids=None, school_ids=None, on=None) -> list[CompletionRow]:
    """Completion per school or per district, computed in the database: per
    policy in force, one query over the teachers and their balances for that
    policy that counts complete and at-risk teachers per group.
    ``district_ids``/``school_ids`` narrow it (None: everything)."""
    if by not in ("school", "district"):
        raise ValueError(by)
    on = on or timezone.localdate()
    pmap = policy_map(on)
    if district_ids is None:
        district_ids = list(District.objects.values_list("pk", flat=True))
    if school_ids is not None and not school_ids:
        return []
    rows: dict[int, CompletionRow] = {}
    t_teacher = Teacher._meta.db_table
    t_balance = CreditBalance._meta.db_table
    group_table = (School if by == "school" else District)._meta.db_table
    group_col = "school_id" if by == "school" else "district_id"
    sort_col = "g." + connection.ops.quote_name("order" if by == "district" else "id")
    # Rounded: SQLite adds decimals as floats (359.99999… must still be 360).
    bh = "ROUND(COALESCE(b.hours, 0), 1)"
    for policy, districts in pmap.groups(sorted(district_ids)):
        d_marks = ", ".join(["%s"] * len(districts))
        where_school = ""
        if school_ids is not None:
            where_school = f" AND t.school_id IN ({', '.join(['%s'] * len(school_ids))})"
        elapsed = policy.elapsed_days(on)
        sql = f"""
            SELECT g.id, g.name, {sort_col}, COUNT(t.id),
                   SUM(CASE WHEN {bh} >= CAST(%s AS NUMERIC) THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {bh} < CAST(%s AS NUMERIC)
                             AND {bh} * %s < CAST(%s AS NUMERIC) * %s
                        THEN 1 ELSE 0 END),
                   SUM({bh})
            FROM {t_teacher} t
            JOIN {group_table} g ON g.id = t.{group_col}
            LEFT JOIN {t_balance} b ON b.teacher_id = t.id AND b.policy_id = %s
            WHERE t.is_active AND t.district_id IN ({d_marks}){where_school}
            GROUP BY g.id, g.name, {sort_col}
        """
        required = policy.total_hours
        params = [required, required, policy.cycle_days, required, elapsed, policy.pk]
        params += [*districts, *(school_ids or [])]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for key, name, order, teachers, complete, risky, hours in cursor.fetchall():
                row = rows.setdefault(key, CompletionRow(key, name, order=order))
                row.teachers += teachers
                row.complete += int(complete or 0)
                row.at_risk += int(risky or 0)
                row.hours += as_hours(hours)
    if by == "district":
        return sorted(rows.values(), key=lambda r: (r.order, r.name))
    return sorted(rows.values(), key=lambda r: (r.name, r.key))


def completion_total(rows) -> CompletionRow:
    total = CompletionRow(0, _("Total"))
    for row in rows:
        total.teachers += row.teachers
        total.complete += row.complete
        total.at_risk += row.at_risk
        total.hours += row.hours
    return total


# --- Claims -----------------------------------------------------------------------------------

TEACHER_SOURCES = (Source.CLAIM, Source.ONLINE, Source.EXTERNAL)


def _is_teacher_self(user, teacher) -> bool:
    return teacher.pk in get_scope(user).ids(Role.TEACHER)


def _is_school_admin(user, school_id) -> bool:
    scope = get_scope(user)
    return scope.superuser or school_id in scope.ids(Role.SCHOOL_ADMIN)


def _is_final_reviewer(user, claim) -> bool:
    scope = get_scope(user)
    if scope.superuser:
        return True
    if claim.responsible_center_id:
        return claim.responsible_center_id in scope.ids(Role.CENTER_STAFF)
    return claim.district_id in scope.ids(Role.DISTRICT_STAFF)


def next_step_for(user, claim) -> str:
    """What the user may do with the claim now: "school", "final" or ""."""
    if claim.status == ClaimStatus.SUBMITTED and _is_school_admin(user, claim.school_id):
        return "school"
    if claim.status == ClaimStatus.SCHOOL_APPROVED and _is_final_reviewer(user, claim):
        return "final"
    return ""


# Apps that post hours by themselves (training's closed sub-projects) refuse a
# claim that would count the same activity twice: each check is
# ``fn(*, teacher, title, earned_on) -> str | None``, the refusal's message.
CLAIM_CHECKS: list = []


def register_claim_check(check):
    if check not in CLAIM_CHECKS:
        CLAIM_CHECKS.append(check)
    return check


def submit_claim(
    *,
    teacher,
    by,
    title,
    category,
    hours,
    earned_on,
    description="",
    source=None,
    responsible_center=None,
    files=(),
) -> CreditClaim:
    """A teacher claims hours for themself; a school admin registers
    school-based training for a teacher of their school, which counts as the
    school's approval. Evidence files are checked (type, size, content)."""
    by_school = _is_school_admin(by, teacher.school_id) and not _is_teacher_self(by, teacher)
    if not by_school and not _is_teacher_self(by, teacher):
        raise PermissionDenied
    if by_school:
        source = Source.SCHOOL_BASED
    else:
        source = source or Source.CLAIM
        if source not in TEACHER_SOURCES:
            raise ValidationError({"source": _("Choose another source.")})
    if category not in CATEGORY_VALUES:
        raise ValidationError({"category": _("Unknown category.")})
    try:
        hours = parse_hours(hours)
    except ValidationError as exc:
        raise ValidationError({"hours": exc.messages}) from exc
    try:
        _check_earned_on(earned_on)
    except ValidationError as exc:
        raise ValidationError({"earned_on": exc.messages}) from exc
    if not title.strip():
        raise ValidationError({"title": _("Name the activity.")})
    for check in CLAIM_CHECKS:
        refusal = check(teacher=teacher, title=title.strip(), earned_on=earned_on)
        if refusal:
            raise ValidationError({"title": refusal})
    errors = []
    for upload in files:
        try:
            validate_evidence_file(upload)
        except ValidationError as exc:
            errors.append(f"{upload.name}: {exc.messages[0]}")
    if errors:
        raise ValidationError({"files": errors})
    if not files and not by_school:
        raise ValidationError({"files": _("Attach at least one evidence file.")})
    now = timezone.now()
    with transaction.atomic():
        claim = CreditClaim.objects.create(
            teacher=teacher,
            school_id=teacher.school_id,
            district_id=teacher.district_id,
            responsible_center=responsible_center,
            title=title.strip()[:200],
            source=source,
            category=category,
            hours=hours,
            earned_on=earned_on,
            description=description,
            submitted_by=by,
            status=ClaimStatus.SCHOOL_APPROVED if by_school else ClaimStatus.SUBMITTED,
            school_reviewed_by=by if by_school else None,
            school_reviewed_at=now if by_school else None,
        )
        for upload in files:
            ClaimEvidence.objects.create(claim=claim, file=upload, name=upload.name[:200])
    return claim


def approve_claim(*, claim, by) -> CreditClaim:
    """Approve the claim's current step. The claim row is locked first, so
    when two reviewers approve at once the second sees the first's decision:
    one entry is posted, never two."""
    with transaction.atomic():
        locked = CreditClaim.objects.select_for_update().get(pk=claim.pk)
        step = next_step_for(by, locked)
        if not locked.is_pending:
            raise ValidationError(
                _("This claim has already been decided (%(status)s).")
                % {"status": locked.get_status_display()},
                code="decided",
            )
        if not step:
            raise PermissionDenied
        now = timezone.now()
        if step == "school":
            locked.status = ClaimStatus.SCHOOL_APPROVED
            locked.school_reviewed_by = by
            locked.school_reviewed_at = now
        else:
            award = award_hours(
                teacher=locked.teacher,
                hours=locked.hours,
                category=locked.category,
                source=locked.source,
                earned_on=locked.earned_on,
                registered_by=by,
                activity_key=locked.activity_key,
                title=locked.title,
                evidence=_("Claim #%(n)d") % {"n": locked.pk},
            )
            locked.status = ClaimStatus.APPROVED
            locked.entry = award.entry
            locked.final_reviewed_by = by
            locked.final_reviewed_at = now
        locked.save()
    return locked


def reject_claim(*, claim, by, reason) -> CreditClaim:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    with transaction.atomic():
        locked = CreditClaim.objects.select_for_update().get(pk=claim.pk)
        if not locked.is_pending:
            raise ValidationError(_("This claim has already been decided."), code="decided")
        step = next_step_for(by, locked)
        if not step:
            raise PermissionDenied
        locked.status = ClaimStatus.REJECTED
        locked.reject_reason = reason[:300]
        if step == "school":
            locked.school_reviewed_by, locked.school_reviewed_at = by, timezone.now()
        else:
            locked.final_reviewed_by, locked.final_reviewed_at = by, timezone.now()
        locked.save()
    return locked


# --- Transcripts ----------------------------------------------------------------------------------


def issue_transcript(*, teacher, by) -> Transcript:
    """Freeze the teacher's totals under a verification code. Issuing again
    while nothing changed returns the same transcript."""
    summary = teacher_summary(teacher)
    if summary.policy is None:
        raise ValidationError(_("No credit policy applies to this teacher."))
    policy = summary.policy
    stats = (
        CreditEntry.objects.filter(teacher=teacher)
        .in_cycle(policy)
        .aggregate(n=Count("id"), last=Coalesce(Max("id"), 0))
    )
    latest = Transcript.objects.filter(teacher=teacher, policy=policy).first()
    if (
        latest is not None
        and latest.entry_count == stats["n"]
        and latest.last_entry_id == stats["last"]
        and latest.teacher_name == teacher.name
    ):
        return latest
    from .models import new_transcript_code

    transcript = Transcript.objects.create(
        code=new_transcript_code(),
        teacher=teacher,
        policy=policy,
        teacher_name=teacher.name,
        school_name=teacher.school.name,
        cycle_start=policy.cycle_start,
        cycle_end=policy.cycle_end,
        required_hours=policy.total_hours,
        total_hours=summary.total,
        by_category={line.category: str(line.hours) for line in summary.by_category},
        entry_count=stats["n"],
        last_entry_id=stats["last"],
        issued_by=by,
    )
    audit.record(AuditAction.CREATE, transcript, actor=by, message="transcript issued")
    return transcript


def transcript_entries(transcript):
    """The entries a transcript froze: in its cycle, up to its last entry."""
    return (
        CreditEntry.objects.filter(
            teacher_id=transcript.teacher_id, pk__lte=transcript.last_entry_id
        )
        .filter(earned_on__gte=transcript.cycle_start, earned_on__lte=transcript.cycle_end)
        .order_by("earned_on", "id")
    )


def find_transcript(code) -> Transcript | None:
    code = (code or "").strip().upper().replace("-", "").replace(" ", "")
    if not code or len(code) > 16:
        return None
    return Transcript.objects.filter(code=code).first()


# --- Reminders ---------------------------------------------------------------------


def remind_at_risk(on=None) -> dict:
    """Put a reminder on the home page of each at-risk teacher with an
    account and of the school admins of their schools, once per month."""
    on = on or timezone.localdate()
    period = f"{on:%Y-%m}"
    pmap = policy_map(on)
    risky = list(
        at_risk(Teacher.objects.filter(is_active=True), on, pmap).values_list(
            "pk", "user_id", "school_id", "district_id", "cycle_hours", "required"
        )
    )
    reminders = []
    per_school = defaultdict(int)
    for _pk, user_id, school_id, district_id, hours, required in risky:
        per_school[school_id] += 1
        if user_id is None:
            continue
        policy = pmap.for_district(district_id)
        reminders.append(
            Reminder(
                user_id=user_id,
                kind=ReminderKind.TEACHER_AT_RISK,
                period=period,
                policy=policy,
                data={
                    "hours": str(as_hours(hours)),
                    "required": str(as_hours(required)),
                    "cycle_end": policy.cycle_end.isoformat(),
                },
            )
        )
    admins = Membership.objects.active(on).filter(
        role=Role.SCHOOL_ADMIN, organisation_id__in=list(per_school)
    )
    school_district = dict(
        School.objects.filter(pk__in=list(per_school)).values_list("pk", "district_id")
    )
    for membership in admins:
        policy = pmap.for_district(school_district.get(membership.organisation_id))
        if policy is None:
            continue
        reminders.append(
            Reminder(
                user_id=membership.user_id,
                kind=ReminderKind.SCHOOL_AT_RISK,
                period=period,
                policy=policy,
                data={"count": per_school[membership.organisation_id]},
            )
        )
    before = Reminder.objects.filter(period=period).count()
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True)
    created = Reminder.objects.filter(period=period).count() - before
    return {"at_risk": len(risky), "reminders": created}


def minimum_rows(policy) -> list[CategoryMinimum]:
    return list(policy.minimums.all())


# --- Keeping balances in step with policies ----------------------------------------

CYCLE_FIELDS = ("cycle_start", "cycle_end", "is_active")


def _policy_pre_save(sender, instance, **kwargs):
    if instance.pk is None:
        instance._rebuild_balances = True
        return
    old = CreditPolicy.objects.filter(pk=instance.pk).values(*CYCLE_FIELDS).first()
    instance._rebuild_balances = old is None or any(
        old[f] != getattr(instance, f) for f in CYCLE_FIELDS
    )


def _policy_post_save(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_rebuild_balances", False):
        rebuild_balances(instance)
        instance._rebuild_balances = False


def connect_signals():
    from django.db.models.signals import post_save, pre_save

    pre_save.connect(_policy_pre_save, sender=CreditPolicy, dispatch_uid="credits_policy_pre")
    post_save.connect(_policy_post_save, sender=CreditPolicy, dispatch_uid="credits_policy_post")
