"""Funding's rules through its services (SQLite and PostgreSQL alike)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding import services
from funding.models import (
    Allocation,
    BudgetLine,
    FundingSource,
    HolderKind,
    Purpose,
)
from training.models import PaymentStep

D = Decimal
pytestmark = pytest.mark.django_db


def refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


def test_allocations_stay_within_the_line(line, sub):
    first = services.allocate(line=line, subproject=sub, amount="60000")
    with pytest.raises(ValidationError, match="¥40,000.00"):
        services.allocate(line=line, subproject=sub, amount="40000.01")
    services.allocate(line=line, subproject=sub, amount="40000.00")
    refresh(line)
    assert line.allocated == D("100000.00") and line.available == 0
    assert first.amount == D("60000.00")


def test_amounts_are_decimal_never_float(line, sub):
    with pytest.raises(ValidationError):
        services.allocate(line=line, subproject=sub, amount=0.1)
    with pytest.raises(ValidationError):
        services.allocate(line=line, subproject=sub, amount="-5")
    a = services.allocate(line=line, subproject=sub, amount="0.105")
    assert a.amount == D("0.11")


def test_one_target_only(line, sub, world):
    with pytest.raises(ValidationError):
        services.allocate(line=line, amount="10")
    with pytest.raises(ValidationError):
        services.allocate(line=line, subproject=sub, plan=sub.project.plan, amount="10")


def test_ring_fenced_purpose(world, sub, district_line):
    building = services.create_line(
        year=2026,
        holder_kind=HolderKind.CENTER,
        center=world.center_a,
        source=FundingSource.MUNICIPAL,
        purpose=Purpose.CENTER_BUILDING,
        name="中心建设",
        amount="500000",
    )
    with pytest.raises(ValidationError, match="专款专用"):
        services.allocate(line=building, subproject=sub, amount="10")
    services.allocate(line=building, center=world.center_a, amount="10")
    # training funds go to training, or to the district's own training school
    with pytest.raises(ValidationError):
        services.allocate(line=district_line, center=world.center_a, amount="10")
    services.allocate(line=district_line, center=world.district_center_a, amount="10")


def test_payment_beyond_its_allocation_refused(line, sub, contract):
    allocation = services.allocate(line=line, subproject=sub, amount="50000")
    step1, step2 = contract.steps.all()
    services.disburse(allocation=allocation, amount="30000", kind="prepayment", payment_step=step1)
    step1.refresh_from_db()
    assert step1.status == "paid" and step1.paid_on
    PaymentStep.objects.filter(pk=step2.pk).update(status="due")
    step2.refresh_from_db()
    with pytest.raises(ValidationError, match="¥20,000.00"):
        services.disburse(
            allocation=allocation, amount="20000.01", kind="final", payment_step=step2
        )
    services.disburse(allocation=allocation, amount="20000", kind="final", payment_step=step2)
    refresh(allocation, line)
    assert allocation.disbursed == D("50000.00") and allocation.available == 0
    assert line.disbursed == D("50000.00")
    assert services.execution(BudgetLine.objects.all()).rate == D("50.0")


def test_a_step_is_paid_only_when_due_and_never_beyond(line, sub, contract):
    allocation = services.allocate(line=line, subproject=sub, amount="100000")
    step1, step2 = contract.steps.all()
    with pytest.raises(ValidationError) as refused:
        services.disburse(allocation=allocation, amount="10", kind="final", payment_step=step2)
    assert refused.value.code == "not_due"
    with pytest.raises(ValidationError, match="¥30,000.00"):
        services.disburse(
            allocation=allocation, amount="30000.01", kind="prepayment", payment_step=step1
        )


def test_contract_must_cover_the_allocation(world, line, contract):
    from tests.training.factories import SubProjectFactory

    other = SubProjectFactory(center=world.center_a)
    allocation = services.allocate(line=line, subproject=other, amount="1000")
    with pytest.raises(ValidationError, match="专款专用"):
        services.disburse(allocation=allocation, amount="10", kind="prepayment", contract=contract)


def test_reversal_restores_the_available_amount(line, sub):
    allocation = services.allocate(line=line, subproject=sub, amount="80000")
    paid = services.disburse(allocation=allocation, amount="50000", kind="prepayment")
    with pytest.raises(ValidationError, match="¥30,000.00"):
        services.reverse_allocation(allocation=allocation, amount="30000.01", reason="调整")
    refund = services.reverse_disbursement(disbursement=paid, amount="20000", reason="退款")
    assert refund.amount == D("-20000.00") and refund.reverses == paid
    refresh(allocation, line, paid)
    assert allocation.disbursed == D("30000.00") and allocation.available == D("50000.00")
    assert paid.refunded == D("20000.00") and paid.amount == D("50000.00")  # never edited
    back = services.reverse_allocation(allocation=allocation, reason="项目调整")
    assert back.amount == D("-50000.00")
    refresh(allocation, line)
    assert line.allocated == D("30000.00") and line.available == D("70000.00")
    assert line.disbursed == D("30000.00")
    with pytest.raises(ValidationError):
        services.reverse_allocation(allocation=allocation, reason="again")
    with pytest.raises(ValidationError):
        services.reverse_disbursement(disbursement=paid, amount="30000.01", reason="x")
    with pytest.raises(ValidationError):
        services.reverse_allocation(allocation=back, reason="x")
    # the freed money can be allocated again
    services.allocate(line=line, subproject=sub, amount="70000")


def test_refund_of_a_step_payment_makes_it_due_again(line, sub, contract):
    allocation = services.allocate(line=line, subproject=sub, amount="50000")
    step1 = contract.steps.get(position=1)
    paid = services.disburse(
        allocation=allocation, amount="30000", kind="prepayment", payment_step=step1
    )
    services.reverse_disbursement(
        disbursement=paid, amount="1000", reason="发票错误", kind="correction"
    )
    step1.refresh_from_db()
    assert step1.status == "due" and services.step_paid(step1) == D("29000.00")


def test_line_amount_never_below_allocated(line, sub):
    services.allocate(line=line, subproject=sub, amount="60000")
    with pytest.raises(ValidationError):
        services.change_line_amount(line=line, amount="59999.99")
    services.change_line_amount(line=line, amount="60000")


def test_database_refuses_what_bypasses_the_services(line, sub):
    allocation = services.allocate(line=line, subproject=sub, amount="100")
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(allocated=D("100000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(pk=allocation.pk).update(disbursed=D("100.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(line=line, subproject=sub, amount=D("-1"), made_on="2026-01-01")
