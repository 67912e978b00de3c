"""A district system's batches: ``post_batch`` (all-or-nothing, a fixed
number of queries) and ``sync_batch`` (the same under an Idempotency-Key)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, batch
from core.batch import (
    KEY_REUSED,
    BatchRejected,
    RowError,
    RowErrors,
    SyncAnswer,
    body_hash,
)
from core.batch import error_body as _error
from core.models import AuditAction
from core.observability import observe_sync

from .. import bulk
from ..models import Category, OrgKind, Source, SyncRequest
from .common import CATEGORY_VALUES, SOURCE_VALUES, _check_earned_on, parse_hours
from .ledger import _bulk_post

MAX_BATCH = 1000


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
        errors.add(index, name, _("Must be text."))
        return ""
    value = str(value).strip()
    if required and not value:
        errors.add(index, name, _("This field is required."))
    elif len(value) > limit:
        errors.add(index, name, _("At most %(n)d characters.") % {"n": limit})
    elif "\x00" in value:  # a database text cannot hold it
        errors.add(index, name, _("Must not contain NUL characters."))
    return value


def validate_batch_rows(rows, today=None) -> tuple[list[dict], RowErrors]:
    """Check every row without touching the database: (clean rows, errors).

    A row that passes the quick checks (text fields as strings within their
    lengths, hours and date seen before in the batch) is taken as it is;
    any other goes through ``_check_row``, which names each error: the
    answer is the same either way, the quick way only spares a batch of
    1,000 rows most of its per-row work."""
    today = today or timezone.localdate()
    clean, errors = [], RowErrors()
    seen: dict = {}
    hours_of: dict = {}  # (type, value sent) → Decimal, for values that passed
    dates_of: dict = {}  # text sent → date, for dates that passed
    source_ok = SOURCE_VALUES - {Source.CLAIM}
    for index, row in enumerate(rows):
        if type(row) is dict and row.keys() <= BATCH_FIELDS:
            get = row.get
            external_id, teacher = get("external_id"), get("teacher")
            title, evidence, key = get("title"), get("evidence"), get("activity_key")
            category, source = get("category"), get("source") or Source.EXTERNAL
            hours_sent, earned_sent = get("hours"), get("earned_on")
            if (
                type(external_id) is str
                and type(teacher) is str
                and type(category) is str
                and type(source) is str
                and type(earned_sent) is str
                and (title is None or type(title) is str)
                and (evidence is None or type(evidence) is str)
                and (key is None or type(key) is str)
                and type(hours_sent) in _HOURS_TYPES
            ):
                external_id, teacher = external_id.strip(), teacher.strip()
                title = title.strip() if title else ""
                evidence = evidence.strip() if evidence else ""
                key = key.strip() if key else ""
                hours = hours_of.get((type(hours_sent), hours_sent))
                if hours is None:
                    hours = _quick_hours(hours_sent)
                    if hours is not None:
                        hours_of[(type(hours_sent), hours_sent)] = hours
                earned_on = dates_of.get(earned_sent)
                if earned_on is None:
                    earned_on = _quick_date(earned_sent, today)
                    if earned_on is not None:
                        dates_of[earned_sent] = earned_on
                if (
                    hours is not None
                    and earned_on is not None
                    and 0 < len(external_id) <= 64
                    and 0 < len(teacher) <= 64
                    and len(title) <= 200
                    and len(evidence) <= 300
                    and len(key) <= 100
                    and category in CATEGORY_VALUES
                    and source in source_ok
                    and external_id not in seen
                    and "\x00" not in f"{external_id}{teacher}{title}{evidence}{key}"
                ):
                    seen[external_id] = index
                    clean.append(
                        _clean_row(
                            index,
                            external_id,
                            teacher,
                            category,
                            source,
                            hours,
                            earned_on,
                            title,
                            evidence,
                            key,
                        )
                    )
                    continue
        checked = _check_row(index, row, errors, seen, today)
        if checked is not None:
            clean.append(checked)
    return clean, errors


_HOURS_TYPES = frozenset({str, int, float})


def _quick_hours(value):
    try:
        return parse_hours(value)
    except ValidationError:
        return None


def _quick_date(value, today):
    try:
        earned_on = datetime.date.fromisoformat(value)
        _check_earned_on(earned_on, today)
    except (ValueError, ValidationError):
        return None
    return earned_on


def _check_row(index, row, errors, seen, today) -> dict | None:
    """One row, every error of it named (``errors``); the clean row, or
    None when it is not an object."""
    if not isinstance(row, dict):
        errors.add(index, None, _("Each row is an object."))
        return None
    unknown = set(row) - BATCH_FIELDS
    if unknown:
        errors.add(index, sorted(unknown)[0], _("Unknown field."))
    external_id = _text(row, "external_id", 64, errors, index, required=True)
    teacher = _text(row, "teacher", 64, errors, index, required=True)
    category = row.get("category")
    if category not in CATEGORY_VALUES:
        errors.add(
            index, "category", _("One of: %(values)s.") % {"values": ", ".join(Category.values)}
        )
    source = row.get("source") or Source.EXTERNAL
    if source not in SOURCE_VALUES or source == Source.CLAIM:
        errors.add(
            index,
            "source",
            _("One of: %(values)s.")
            % {"values": ", ".join(v for v in Source.values if v != Source.CLAIM)},
        )
    hours = None
    try:
        hours = parse_hours(row.get("hours"))
    except ValidationError as exc:
        errors.add(index, "hours", exc.messages[0])
    earned_on = None
    try:
        earned_on = datetime.date.fromisoformat(str(row.get("earned_on") or ""))
        _check_earned_on(earned_on, today)
    except ValueError:
        errors.add(index, "earned_on", _("A date as YYYY-MM-DD."))
    except ValidationError as exc:
        errors.add(index, "earned_on", exc.messages[0])
    title = _text(row, "title", 200, errors, index)
    evidence = _text(row, "evidence", 300, errors, index)
    activity_key = _text(row, "activity_key", 100, errors, index)
    if external_id:
        if external_id in seen:
            errors.add(
                index,
                "external_id",
                _("Repeats row %(n)d of this batch.") % {"n": seen[external_id]},
            )
        else:
            seen[external_id] = index
    return _clean_row(
        index,
        external_id,
        teacher,
        category,
        source,
        hours,
        earned_on,
        title,
        evidence,
        activity_key,
    )


def _clean_row(
    index, external_id, teacher, category, source, hours, earned_on, title, evidence, key
) -> dict:
    """A checked row as ``post_batch`` writes it (both ways of checking)."""
    return {
        "index": index,
        "external_id": external_id,
        "teacher": teacher,
        "category": category,
        "source": source,
        "hours": hours,
        "earned_on": earned_on,
        "title": title,
        "evidence": evidence,
        "activity_key": key,
    }


@dataclass
class BatchResult(batch.BatchResult):
    """A ledger batch: per row its outcome (``results``). Nothing is ever
    updated: a row the district already sent is ``existing``, a row for an
    activity that already counts ``already_counted`` (both ``unchanged``)."""

    results: list[dict] = field(default_factory=list)
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


def post_batch(*, district, rows, registered_by=None, org_name=None) -> BatchResult:
    """Post a district system's rows (dicts with ``external_id``, ``teacher``
    — the teacher's id in the district's system — ``category``, ``hours``,
    ``earned_on`` and optional ``source``, ``title``, ``evidence``,
    ``activity_key``) in one transaction with a fixed number of queries.

    All or nothing (``core.batch.run_batch``): a bad row raises
    BatchRejected listing each bad row by index. A row whose ``external_id``
    the district already sent is ``existing``; a row for an activity that
    already counts for the teacher is ``already_counted``; neither writes
    anything."""
    org_name = district.name if org_name is None else org_name

    def check(rows, errors):
        if len(rows) > MAX_BATCH:
            raise BatchRejected([RowError(None, None, _("At most 1,000 rows per batch."))])
        clean, found = validate_batch_rows(rows)
        errors.extend(found)
        return clean

    def find_teachers(clean, errors):
        teachers = bulk.teachers(district.pk, [r["teacher"] for r in clean])
        for row in clean:
            if row["teacher"] not in teachers:
                errors.add(row["index"], "teacher", _("No teacher with this id in your district."))
        return clean, teachers

    def write(checked):
        clean, teachers = checked
        district_id = district.pk
        result = BatchResult()
        existing = bulk.sent_entries(district.pk, [r["external_id"] for r in clean])
        # The rows to post and their answers, as two flat lists: a list of
        # (answer, row) pairs kept one object per row that the garbage
        # collector tracks (a tuple holding dicts stays tracked) for the
        # whole batch, and brought on full collections.
        new_items, new_rows = [], []
        for row in clean:
            external_id = row["external_id"]
            item = {"index": row["index"], "external_id": external_id}
            result.results.append(item)
            if external_id in existing:
                item["status"] = "existing"
                item["id"] = existing[external_id]
                result.existing += 1
                continue
            row["teacher_id"] = teachers[row["teacher"]][0]
            new_items.append(item)
            new_rows.append(row)
        place = {pk: (district_id, school_id) for pk, school_id in teachers.values()}
        outcomes = _bulk_post(
            new_rows,
            place_of=place.__getitem__,
            registered_by=registered_by,
            org_kind=OrgKind.SYSTEM,
            org_name=org_name,
        )
        for item, (status, entry_id) in zip(new_items, outcomes, strict=True):
            item["status"] = status
            item["id"] = entry_id
            if status == "created":
                result.created += 1
            else:
                result.already_counted += 1
        result.unchanged = result.existing + result.already_counted
        if result.created:
            audit.record(
                AuditAction.SYNC,
                actor=registered_by,
                object_type="credits.creditentry",
                object_repr=f"{district.name}: {result.created}",
                key=audit.register_message(
                    "credits.district_sync",
                    gettext_lazy(
                        "District sync: %(created)s entries created, %(existing)s already "
                        "received, %(counted)s already counted"
                    ),
                ),
                params={
                    "created": result.created,
                    "existing": result.existing,
                    "counted": result.already_counted,
                },
            )
        return result

    return batch.run_batch(rows, check, find_teachers, write=write)


SYNC_REQUEST_DAYS = 90


def purge_sync_requests(now=None) -> int:
    """Forget idempotency keys older than 90 days (a resend that late is
    still harmless: known external ids answer ``existing``)."""
    now = now or timezone.now()
    deleted, _ = SyncRequest.objects.filter(
        created_at__lt=now - datetime.timedelta(days=SYNC_REQUEST_DAYS)
    ).delete()
    return deleted


def _batch_rows(kwargs) -> int:
    body = kwargs.get("body")
    rows = body.get("entries") if isinstance(body, dict) else body
    return len(rows) if isinstance(rows, list) else 0


@observe_sync(
    "credits",
    rows_of=_batch_rows,
    outcome_of=lambda a: "replayed" if a.replayed else str(a.status),
)
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
                {"rows": exc.as_list()},
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
