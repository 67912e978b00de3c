"""The shared batch mechanism (core.batch): every row checked before any is
written, every error kept with its row, nothing written when one row fails,
counts of what a batch did, and the fingerprints that make a resend a
replay. centers' sync and imports and the credits ledger's batches run on it
(their own tests check their answers)."""

import pytest
from django.db import IntegrityError, connection

from centers.models import School, SchoolStage
from core.batch import (
    BatchRejected,
    BatchResult,
    RowError,
    RowErrors,
    SyncAnswer,
    Upsert,
    body_hash,
    request_hash,
    run_batch,
)
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db

FIELDS = ["external_id", "name", "stage"]


def values(row):
    return {"external_id": row["id"], "name": row["name"], "stage": SchoolStage.PRIMARY}


def school_batch(district, rows, dry_run=False):
    """A tiny upsert of schools keyed by their outside id, on run_batch."""

    def check(rows, errors):
        seen = {}
        for index, row in enumerate(rows):
            if not row.get("name"):
                errors.add(index, "name", "required")
            if row.get("id") in seen:
                errors.add(index, "id", f"same as row {seen[row['id']]}")
            seen.setdefault(row.get("id"), index)
        return rows

    def plan(rows, errors):
        known = {s.external_id: s for s in School.objects.filter(district=district)}
        upsert = Upsert(School, FIELDS)
        for row in rows:
            upsert.put(known.get(row["id"]), values(row), district=district)
        return upsert

    def write(upsert):
        return upsert.save()

    return run_batch(rows, check, plan, write=write, dry_run=dry_run)


def test_errors_are_kept_by_row_and_field_in_the_order_found():
    errors = RowErrors()
    errors.add(3, "hours", "too many")
    errors.add(0, None, "not an object")
    errors.add(3, "hours", "one decimal")
    errors.add_fields(5, {"name": ["required"], "stage": ["unknown"]})
    assert len(errors) == 5 and 3 in errors and 5 in errors and 1 not in errors
    rejected = BatchRejected(errors)
    assert rejected.as_list() == [
        {"index": 3, "field": "hours", "message": "too many"},
        {"index": 0, "field": None, "message": "not an object"},
        {"index": 3, "field": "hours", "message": "one decimal"},
        {"index": 5, "field": "name", "message": "required"},
        {"index": 5, "field": "stage", "message": "unknown"},
    ]
    assert rejected.by_row() == {
        3: {"hours": ["too many", "one decimal"]},
        0: {"__all__": ["not an object"]},
        5: {"name": ["required"], "stage": ["unknown"]},
    }
    assert list(rejected.by_row()) == [3, 0, 5]
    assert rejected.errors[0]["index"] == 3  # read like the JSON answer
    assert rejected.errors[1] == RowError(0, None, "not an object")
    assert str(rejected) == rejected.message  # the default: nothing was written


def test_a_batch_refused_whole_carries_its_message_and_no_rows():
    rejected = BatchRejected(message="Send a list of rows.")
    assert rejected.message == "Send a list of rows." and rejected.errors == []
    assert rejected.by_row() == {} and rejected.as_list() == []


def test_every_bad_row_is_named_and_nothing_is_written():
    district = DistrictFactory()
    rows = [
        {"id": "a", "name": "一小"},
        {"id": "b", "name": ""},
        {"id": "a", "name": "三小"},
        {"id": "c", "name": ""},
    ]
    with pytest.raises(BatchRejected) as info:
        school_batch(district, rows)
    assert info.value.by_row() == {
        1: {"name": ["required"]},
        2: {"id": ["same as row 0"]},
        3: {"name": ["required"]},
    }
    assert not School.objects.exists()


def test_later_checks_and_the_write_do_not_run_after_a_bad_row():
    calls = []

    def first(rows, errors):
        errors.add(1, "x", "bad")
        return rows

    def second(rows, errors):  # pragma: no cover - must not run
        calls.append("second")
        return rows

    def write(rows):  # pragma: no cover - must not run
        calls.append("write")

    with pytest.raises(BatchRejected) as info:
        run_batch([{}, {}], first, second, write=write)
    assert info.value.as_list() == [{"index": 1, "field": "x", "message": "bad"}]
    assert calls == []


def test_a_write_failing_half_way_leaves_nothing_behind():
    district = DistrictFactory()

    def write(rows):
        School.objects.create(district=district, name="一小", stage=SchoolStage.PRIMARY)
        School.objects.create(district=district, name="一小", stage=SchoolStage.PRIMARY)

    with pytest.raises(IntegrityError):
        run_batch([{}], write=write)
    assert not School.objects.filter(district=district).exists()


def test_a_dry_run_counts_and_writes_nothing_outside_a_transaction():
    district = DistrictFactory()
    depth = len(connection.savepoint_ids)
    seen = []

    def check(rows, errors):
        seen.append(len(connection.savepoint_ids))
        return rows

    assert run_batch([1, 2], check, write=lambda rows: 1 / 0, dry_run=True) == [1, 2]
    assert seen == [depth]  # a dry run opens no transaction
    upsert = school_batch(district, [{"id": "a", "name": "一小"}], dry_run=True)
    assert upsert.result == BatchResult(created=1)
    assert not School.objects.exists()


def test_counts_and_a_resent_batch_changes_nothing():
    district = DistrictFactory()
    rows = [{"id": "a", "name": "一小"}, {"id": "b", "name": "二小"}]
    first = school_batch(district, rows)
    assert first.as_dict() == {"created": 2, "updated": 0, "unchanged": 0}
    assert first.total == 2
    stamped = School.objects.get(external_id="b").updated_at
    again = school_batch(district, rows)
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 2}
    assert School.objects.filter(district=district).count() == 2
    changed = school_batch(district, [rows[0], {"id": "b", "name": "第二小学"}])
    assert changed.as_dict() == {"created": 0, "updated": 1, "unchanged": 1}
    school = School.objects.get(external_id="b")
    assert school.name == "第二小学" and school.updated_at > stamped


def test_fingerprints_recognise_a_resend():
    body = {"entries": [{"hours": "2.0", "teacher": "T1"}]}
    same = {"entries": [{"teacher": "T1", "hours": "2.0"}]}  # keys in another order
    other = {"entries": [{"teacher": "T1", "hours": "2.5"}]}
    assert body_hash(body) == body_hash(same) != body_hash(other)
    raw = b'{"entries":[]}'
    assert request_hash(raw) == request_hash(bytes(raw)) != request_hash(raw + b" ")


def test_an_answer_is_encoded_once_and_replayed_as_the_same_bytes():
    answer = SyncAnswer(201, {"batch": {"created": 1}, "note": "已写入"})
    text = answer.text
    assert text == '{"batch":{"created":1},"note":"已写入"}'
    assert answer.content == text.encode()
    replay = SyncAnswer(201, {"ignored": True}, replayed=True, stored=text)
    assert replay.content == answer.content and replay.replayed
