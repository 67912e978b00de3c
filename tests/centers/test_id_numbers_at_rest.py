"""ID numbers at rest (centers/fields.py): the column holds Fernet ciphertext,
lookups and uniqueness go by the keyed hash, keys rotate, the migration
converts plain rows, and no whole number is left in the table, the audit log
or an API answer."""

import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.db import connection

from centers.fields import TOKEN_PREFIX, default_key, hash_id_number
from centers.models import Teacher
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def raw_column(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM centers_teacher WHERE id = %s", [pk])
        return cursor.fetchone()


def test_the_column_holds_ciphertext_and_python_the_number(world):
    teacher = world.teacher_a
    stored, digest = raw_column(teacher.pk)
    assert stored.startswith(TOKEN_PREFIX)
    assert teacher.id_number not in stored
    assert digest == hash_id_number(teacher.id_number)
    assert Teacher.objects.get(pk=teacher.pk).id_number == teacher.id_number
    assert teacher.masked_id_number.endswith(teacher.id_number[-4:])


def test_lookups_go_by_the_hash_and_a_plain_filter_fails_loudly(world):
    number = world.teacher_b.id_number
    assert list(Teacher.objects.with_id_number(number.lower())) == [world.teacher_b]
    with pytest.raises(TypeError):
        list(Teacher.objects.filter(id_number=number))


def test_the_hash_is_keyed(world, settings):
    number = world.teacher_a.id_number
    before = hash_id_number(number)
    settings.ID_NUMBER_HASH_KEY = "another key"
    assert hash_id_number(number) != before


def test_keys_rotate(world, settings):
    old = default_key()  # the rows are under it (no ID_NUMBER_KEYS in the tests)
    new = Fernet.generate_key().decode()
    settings.ID_NUMBER_KEYS = [new, old]  # the new key first: both read
    assert Teacher.objects.get(pk=world.teacher_a.pk).id_number == world.teacher_a.id_number
    assert Teacher.objects.reencrypt_id_numbers() == Teacher.objects.count()
    settings.ID_NUMBER_KEYS = [new]  # the old one dropped
    assert Teacher.objects.get(pk=world.teacher_a.pk).id_number == world.teacher_a.id_number
    settings.ID_NUMBER_KEYS = [old]  # only the old one: the rows are no longer under it
    with pytest.raises(InvalidToken):
        Teacher.objects.get(pk=world.teacher_a.pk)


def test_the_migration_converts_plain_rows(world):
    from importlib import import_module

    migration = import_module("centers.migrations.0008_teacher_id_number_encrypted")
    number = world.teacher_a.id_number
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE centers_teacher SET id_number = %s, id_number_hash = %s WHERE id = %s",
            [number, "x", world.teacher_a.pk],
        )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.encrypt_existing(apps, editor)
    stored, digest = raw_column(world.teacher_a.pk)
    assert stored.startswith(TOKEN_PREFIX) and number not in stored
    assert digest == hash_id_number(number)


def test_no_whole_number_in_any_table_the_audit_or_the_api(world, login):
    numbers = list(Teacher.objects.values_list("id_number", flat=True))
    assert numbers
    # A plain dump of every table, as pg_dump would write its rows.
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.append(cursor.fetchall())
    dump = json.dumps(rows, default=str)
    audit = json.dumps(list(AuditEntry.objects.values()), default=str)
    api = login(world.user("bureau")).get("/api/v1/centers/teachers/").content.decode()
    for number in numbers:
        assert number not in dump
        assert number not in audit
        assert number not in api


def test_no_whole_number_in_the_logs_or_the_error_bodies(world, token_client, caplog):
    """Refused syncs (another district's teacher's number, a bad checksum, a
    duplicate) and a refused import leave no whole number in what the portal
    logs or answers."""
    import logging

    from tests.factories import make_id_number

    caplog.set_level(logging.DEBUG)
    good = make_id_number(region="440106")
    bad_checksum = good[:17] + ("0" if good[17] != "0" else "1")
    row = {
        "external_id": "T900",
        "name": "同步教师",
        "school": world.school_a.name,
        "subject": "数学",
        "stage": "primary",
        "title": "一级",
        "role": "teacher",
        "career_stage": "qualified",
    }
    client = token_client()
    bodies = []
    for number in (world.teacher_b.id_number, bad_checksum):
        response = client.post(
            "/api/v1/teachers/sync/", [{**row, "id_number": number}], format="json"
        )
        assert response.status_code == 400
        bodies.append(response.content.decode())
    twice = [{**row, "id_number": good}, {**row, "external_id": "T901", "id_number": good}]
    response = client.post("/api/v1/teachers/sync/", twice, format="json")
    assert response.status_code == 400
    bodies.append(response.content.decode())
    said = caplog.text + "".join(bodies)
    for number in (world.teacher_a.id_number, world.teacher_b.id_number, good, bad_checksum):
        assert number not in said
