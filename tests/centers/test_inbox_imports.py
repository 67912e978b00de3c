"""To-do (待办): an uploaded, checked workbook waits for its uploader to
commit or discard it, and for nobody else."""

import pytest

from centers.models import ImportBatch, ImportStatus
from core.inbox import inbox

pytestmark = pytest.mark.django_db


def keys(user):
    return {group.source.key: group for group in inbox(user)}


def test_an_import_in_preview_waits_for_its_uploader_only(world):
    district = world.user("district_a")
    batch = ImportBatch.objects.create(
        kind="teachers", owner=district, filename="天河教师.xlsx", sha256="0" * 64
    )
    group = keys(district)["centers-imports"]
    assert group.count == 1
    assert group.items[0].url == f"/centers/import/{batch.pk}/"
    assert "天河教师.xlsx" in group.items[0].text
    assert "centers-imports" not in keys(world.user("district_b"))  # not theirs
    assert "centers-imports" not in keys(world.user("teacher_a"))  # may not import
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTED)
    assert "centers-imports" not in keys(district)
