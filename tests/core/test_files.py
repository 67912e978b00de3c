"""Files are served only through views that check who asks: no route serves
MEDIA_ROOT (in development either), stored names carry a random token, and an
exported text cell is never a formula."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import Exporter, registry, run_export
from core.models import ExportJob, ExportStatus, Membership, export_upload_to

pytestmark = pytest.mark.django_db


def test_no_route_serves_media_even_under_debug():
    """In a fresh process with DEBUG on (what `make run` uses), nothing under
    /media/ resolves; a subprocess, so no test reloads the URLconf in place."""
    from tests.core.test_settings import manage

    code = (
        "from django.conf import settings; from django.urls import Resolver404, resolve\n"
        "assert settings.DEBUG\n"
        "for path in ('/media/exports/2026/12/x.xlsx', '/media/credits/evidence/1/a.pdf'):\n"
        "    try:\n"
        "        resolve(path)\n"
        "    except Resolver404:\n"
        "        continue\n"
        "    raise SystemExit('served: ' + path)\n"
        "print('none served')\n"
    )
    result = manage("shell", "-c", code, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "none served" in result.stdout


def test_export_files_have_unguessable_names(world):
    job = run_export(ExportJob.objects.create(owner=world.user("bureau"), exporter="centers"))
    assert job.status == ExportStatus.DONE
    # exports/<year>/<month>/<job>-<128-bit keyed digest>/<name>.xlsx: one folder per
    # job (a restarted run finds what a dead one left), no name guessable without
    # the secret key
    assert re.fullmatch(
        rf"exports/\d{{4}}/\d{{2}}/{job.pk}-[0-9a-f]{{32}}/centers-[\d-]+\.xlsx", job.file.name
    )
    other = ExportJob.objects.create(owner=world.user("bureau"), exporter="centers")
    assert export_upload_to(other, "x").split("/")[3][-32:] != job.file.name.split("/")[3][-32:]


def test_evidence_files_have_unguessable_names():
    from credits.models import ClaimEvidence, evidence_path

    name = evidence_path(ClaimEvidence(claim_id=7), "certificate.pdf")
    assert re.fullmatch(r"credits/evidence/7/[\w-]{22}/certificate\.pdf", name)


def test_an_owner_who_lost_the_right_does_not_take_the_file(world, login):
    user = world.user("district_a")
    job = run_export(ExportJob.objects.create(owner=user, exporter="centers"))
    client = login(user)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 200
    assert client.get(f"/api/v1/exports/jobs/{job.pk}/").status_code == 200
    Membership.objects.filter(user=user).update(ends_on=timezone.localdate() - timedelta(days=1))
    client = login(user)
    assert client.get(f"/exports/{job.pk}/download/").status_code in (403, 404)
    assert client.get(f"/api/v1/exports/jobs/{job.pk}/").status_code in (403, 404)


def test_behind_nginx_the_file_leaves_through_x_accel_redirect(world, login, settings):
    """With PRIVATE_FILES_ACCEL_PREFIX the permission-checked view answers no bytes,
    only the internal location nginx serves; a refused reader gets no header."""
    settings.PRIVATE_FILES_ACCEL_PREFIX = "/_private/"
    user = world.user("district_a")
    job = run_export(ExportJob.objects.create(owner=user, exporter="centers"))
    response = login(user).get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_private/" + job.file.name
    assert response.content == b""
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    other = login(world.user("district_b")).get(f"/exports/{job.pk}/download/")
    assert other.status_code in (403, 404)
    assert "X-Accel-Redirect" not in other


def test_exported_text_is_never_a_formula(world):
    payloads = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "plain"]

    @registry.register
    class Hostile(Exporter):
        identifier = "test-hostile"
        name = "恶意内容"

        def headers(self):
            return ["=HEADER()"]

        def rows(self):
            for value in payloads:
                yield [value]

    try:
        job = ExportJob.objects.create(owner=world.user("bureau"), exporter=Hostile.identifier)
        job = run_export(job)
        content = job.file.read()
    finally:
        registry._exporters.pop(Hostile.identifier)
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows()]
    assert [c.value for c in cells] == ["=HEADER()", *payloads]
    assert {c.data_type for c in cells} == {"s"}
