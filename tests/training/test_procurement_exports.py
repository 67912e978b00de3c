"""Excel exports of procurements and of a contract's payment schedule: run
through the export framework's worker task, opened with openpyxl, scoped by
``restrict`` (each center its own, the vendor its own contracts)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.exports import start_export
from core.models import ExportJob
from core.tasks import run_export_job
from training.services import procurement as proc

from .procurement_objects import build

pytestmark = pytest.mark.django_db


def export(user, identifier, data=None):
    with translation.override("zh-hans"):
        job = start_export(user=user, identifier=identifier, data=data or {})
    run_export_job(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    sheet = load_workbook(job.file.path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def bought(world):
    a = build(world, "contracted", side="a")
    b = build(world, "awarded", side="b")
    steps = list(a["contract"].steps.order_by("id"))
    center = world.user("center_a")
    proc.record_invoice(step=steps[0], by=center, invoice_number="FP-001")
    proc.pay_step(step=steps[0], by=center)
    return a, b


def test_procurement_export_cells_and_scope(world, bought):
    a, b = bought
    header, rows = export(world.user("bureau"), "training-procurements")
    assert "采购项目" in header and "中标机构" in header and "未支付（元）" in header
    assert {r["采购项目编号"] for r in rows} == {a["procurement"].pk, b["procurement"].pk}
    row = next(r for r in rows if r["采购项目编号"] == a["procurement"].pk)
    assert row["采购中心"] == world.center_a.name
    assert row["状态"] == a["procurement"].get_status_display()
    assert Decimal(str(row["预算（元）"])) == Decimal("400000")
    assert row["投标"] == 2
    assert row["中标机构"] == world.vendor.name
    assert Decimal(str(row["中标金额（元）"])) == Decimal("380000")
    assert row["合同编号"] == "HZ-2020-00a"
    assert Decimal(str(row["已支付（元）"])) == Decimal("190000")
    assert Decimal(str(row["未支付（元）"])) == a["contract"].amount - Decimal("190000")
    other = next(r for r in rows if r["采购项目编号"] == b["procurement"].pk)
    assert other["合同编号"] in ("", None) and other["已支付（元）"] is None

    # Center A sees its own procurement only; a status filter narrows it.
    _h, own = export(world.user("center_a"), "training-procurements")
    assert [r["采购项目编号"] for r in own] == [a["procurement"].pk]
    _h, none = export(world.user("center_a"), "training-procurements", {"status": "failed"})
    assert none == []


def test_procurement_export_is_refused_to_a_vendor_and_a_teacher(world, bought):
    for actor in ("vendor", "teacher_a"):
        with pytest.raises(PermissionDenied):
            start_export(user=world.user(actor), identifier="training-procurements")


def test_payment_schedule_cells_and_scope(world, bought):
    a, b = bought
    contract = a["contract"]
    header, rows = export(
        world.user("center_a"), "training-payment-schedule", {"contract": contract.pk}
    )
    assert header[:2] == ("合同编号", "采购中心")
    assert [r["合同编号"] for r in rows] == [contract.number, contract.number]
    first, final = rows
    assert Decimal(str(first["金额（元）"])) == Decimal("190000")
    assert first["发票号码"] == "FP-001" and first["支付日期"] is not None
    assert first["状态"] == contract.steps.order_by("id")[0].get_status_display()
    assert final["付款条件"] == contract.steps.order_by("id")[1].get_due_condition_display()
    assert final["支付日期"] is None
    assert first["承办机构"] == world.vendor.name

    # The vendor reads its own contract's schedule too; center B not center A's.
    _h, vendor_rows = export(world.user("vendor"), "training-payment-schedule")
    assert {r["合同编号"] for r in vendor_rows} == {contract.number}
    with pytest.raises(ValidationError):  # center A's contract is no choice for B
        start_export(
            user=world.user("center_b"),
            identifier="training-payment-schedule",
            data={"contract": contract.pk},
        )


def test_the_pages_offer_the_exports(world, login, bought):
    a, _b = bought
    client = login(world.user("center_a"))
    page = client.get(reverse("training:procurement-list")).content.decode()
    assert 'id="export-procurements"' in page
    page = client.get(a["procurement"].get_absolute_url()).content.decode()
    assert 'id="export-payment-schedule"' in page
    response = client.post(
        reverse("export-start", args=["training-payment-schedule"]),
        {"contract": a["contract"].pk},
    )
    assert response.status_code == 302
    assert ExportJob.objects.filter(exporter="training-payment-schedule").exists()
