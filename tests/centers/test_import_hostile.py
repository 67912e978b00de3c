"""The hostile-file corpus (tests/hostile_files.py) against the Excel import:
every file is refused with its Chinese message, in under 2 s and 100 MB, and
nothing is kept."""

import functools
import time
import tracemalloc

import pytest
from django.urls import reverse
from django.utils import translation

from centers.models import ImportBatch
from tests import hostile_files

from .test_import import upload

pytestmark = pytest.mark.django_db

#: corpus name → a word of the message it is refused with (zh-hans)
EXPECTED = {
    "zip-bomb": "解压后超过 32 MB",
    "lying-sizes": "可能已损坏",
    "nested-zip": "内嵌了其他压缩包",
    "many-entries": "超过 200 个部件",
    "billion-laughs-strings": "DTD",
    "billion-laughs-sheet": "DTD",
    "xxe": "DTD",
    "malformed-strings": "可能已损坏",
    "far-row": "超过 5000 行",
    "row-past-cap": "超过 5000 行",
    "hidden-row": "超过 5000 行",
    "moved-sheet": "超过 5000 行",
    "huge-dimension": "超过 5000 行",
    "far-column": "没有数据行",
    "million-rows": "超过 5000 行",
    "formula": "公式",
    "text-renamed": "不符",
    "png-renamed": "不符",
    "truncated": "可能已损坏",
    "pk-but-not-zip": "可能已损坏",
}


@functools.cache
def corpus(key):
    maker, name = hostile_files.CORPUS[key]
    return maker(), name


def test_every_corpus_file_has_an_expectation():
    assert set(EXPECTED) == set(hostile_files.CORPUS)


@pytest.mark.parametrize("key", list(EXPECTED))
def test_a_hostile_workbook_is_refused_quickly_with_its_message(world, login, key):
    content, name = corpus(key)
    client = login(world.user("district_a"))
    url = reverse("centers:import-upload")
    client.get(url)  # warm: templates and catalogues load once per process, not per file
    tracemalloc.start()
    # CPU time, not wall time: the bound is on the work the guard lets a file
    # cost, which a shared machine's load does not change (a timed test would).
    started = time.process_time()
    try:
        with translation.override("zh-hans"):
            response = client.post(url, {"kind": "teachers", "file": upload(content, name)})
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    message = response.context["form"].errors["file"][0]
    assert EXPECTED[key] in message, message
    assert elapsed < 2, f"{key}: {elapsed:.1f} s of CPU"
    assert peak < 100 * 1024 * 1024, f"{key}: {peak / 1e6:.0f} MB"
    assert not ImportBatch.objects.exists()


def test_a_real_workbook_still_passes_the_guard(world, login):
    content = hostile_files.base_workbook(rows=[("T1", "张老师"), ("T2", "李老师")])
    client = login(world.user("district_a"))
    response = client.post(
        reverse("centers:import-upload"), {"kind": "teachers", "file": upload(content)}
    )
    assert response.status_code == 302
    assert len(ImportBatch.objects.get().rows) == 2
