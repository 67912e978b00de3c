"""A database constraint error reached through the API answers 400 in the
project's error body, naming the field, with a translated message: the last
line of defence behind model and serializer validation."""

import pytest
from django.db import IntegrityError
from django.utils import translation

from core.api.exceptions import exception_handler


@pytest.mark.parametrize(
    "message, field",
    [
        ("CHECK constraint failed: resource_renewed_after_added", "year_renewed"),
        (
            'new row for relation "alliance_digitalresource" violates check constraint '
            '"resource_renewed_after_added"',
            "year_renewed",
        ),
        (
            "UNIQUE constraint failed: alliance_achievement.center_id, "
            "alliance_achievement.year, alliance_achievement.kind",
            "center",
        ),
        (
            'duplicate key value violates unique constraint "achievement_one_per_kind_year"',
            "center",
        ),
        ("something else entirely", "non_field_errors"),
    ],
)
def test_integrity_errors_map_to_a_field_and_a_translated_message(message, field):
    with translation.override("zh-hans"):
        response = exception_handler(IntegrityError(message), {})
    assert response.status_code == 400
    details = response.data["error"]["details"]
    assert list(details) == [field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(details[field][0]))


def test_a_value_the_database_cannot_hold_answers_400_in_chinese():
    """PostgreSQL refuses a time-zone offset beyond ±15:59 that Python accepts
    (the API fuzzer sent "0248-08-25T21:39:19-20:21"): 400, never 500."""
    from django.db import DataError

    with translation.override("zh-hans"):
        response = exception_handler(DataError("time zone displacement out of range"), {})
    assert response.status_code == 400
    assert response.data["error"]["details"]["non_field_errors"] == ["有数值超出系统可存储的范围。"]
