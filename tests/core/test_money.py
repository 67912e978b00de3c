"""Money reads one way everywhere (``core.formats.format_money`` and the
``|yuan`` filter): ``¥285,000.00`` on procurement, contract, payment and
funding pages; workbooks keep amounts as numbers in the ¥ number format."""

import io
from decimal import Decimal

import pytest
from django.template import Context, Template
from openpyxl import load_workbook

from core import formats
from training.models import Procurement

pytestmark = pytest.mark.django_db


def test_format_money_and_the_filter():
    assert formats.format_money(Decimal("285000")) == "¥285,000.00"
    assert formats.format_money("1234.5") == "¥1,234.50"
    assert formats.format_money(Decimal("-5")) == "-¥5.00"
    assert formats.format_money(None) == ""
    assert formats.display(formats.money("211648400")) == "¥211,648,400.00"
    rendered = Template("{% load portal %}{{ a|yuan }} {{ b|yuan }}").render(
        Context({"a": Decimal("285000.00"), "b": None})
    )
    assert rendered == "¥285,000.00 —"


def test_procurement_pages_show_yuan(world, login):
    from tests.training.procurement_objects import build

    built = build(world)
    procurement = built["procurement"]
    Procurement.objects.filter(pk=procurement.pk).update(budget=Decimal("285000"))
    client = login(world.user("center_a"))
    detail = client.get(procurement.get_absolute_url()).content.decode()
    assert "¥285,000.00" in detail  # budget
    assert "¥380,000.00" in detail  # the winning bid and the contract
    assert "¥190,000.00" in detail  # a payment step
    assert "¥19,000.00" in detail  # the performance bond
    assert "285000.00" not in detail and "380000.00" not in detail
    listing = client.get("/training/procurements/").content.decode()
    assert "¥285,000.00" in listing and "285000.00" not in listing


def test_funding_workbook_keeps_numbers_in_the_yuan_format(
    world, django_capture_on_commit_callbacks
):
    from core.exports import start_export
    from funding.models import FundingSource, HolderKind
    from funding.services import create_line

    create_line(
        year=2026,
        holder_kind=HolderKind.DISTRICT,
        district=world.district_a,
        source=FundingSource.DISTRICT,
        name="天河区教师培训经费",
        amount="211648400",
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start_export(user=world.user("bureau"), identifier="funding-execution")
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    budget = sheet.cell(row=2, column=6)
    assert budget.value == 211648400 and budget.number_format == formats.EXCEL_MONEY
