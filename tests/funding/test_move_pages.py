"""Moving money on pages: allocate from a line, pay against an allocation
(and a contract's payment step), reverse either with a reason — buttons only
where the user may, the services' refusals shown as form errors in Chinese,
POST then redirect to the line."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services
from funding.models import Allocation, BudgetLine, Disbursement, FundingSource, HolderKind, Purpose
from tests.contracts import assert_constant_queries
from training.models import PaymentStep

D = Decimal
pytestmark = pytest.mark.django_db


def allocate_url(line):
    return reverse("funding:line-allocate", args=[line.pk])


def test_buttons_only_where_the_user_may(world, login, district_line, sub):
    a = services.allocate(line=district_line, center=world.district_center_a, amount="1000")
    paid = services.disburse(allocation=a, amount="400", kind="progress")
    page = login(world.user("district_a")).get(district_line.get_absolute_url()).content.decode()
    assert allocate_url(district_line) in page
    assert reverse("funding:allocation-disburse", args=[a.pk]) in page
    assert reverse("funding:allocation-reverse", args=[a.pk]) in page
    assert reverse("funding:disbursement-reverse", args=[paid.pk]) in page
    school = services.create_line(
        year=2026,
        holder_kind=HolderKind.SCHOOL,
        school=world.school_a,
        source=FundingSource.SCHOOL_PUBLIC,
        name="校本培训经费",
        amount="50000",
    )
    page = login(world.user("school_a")).get(school.get_absolute_url()).content.decode()
    assert 'data-action="' not in page


def test_who_may_open_the_forms(world, login, district_line):
    a = services.allocate(line=district_line, center=world.district_center_a, amount="1000")
    for url in (
        allocate_url(district_line),
        reverse("funding:allocation-disburse", args=[a.pk]),
        reverse("funding:allocation-reverse", args=[a.pk]),
    ):
        assert login(world.user("district_a")).get(url).status_code == 200
        assert login(world.user("district_b")).get(url).status_code == 404  # outside its scope
        assert login(world.user("school_a")).get(url).status_code in (403, 404)
        assert login(world.user("teacher_a")).get(url).status_code == 403


def test_allocate_then_redirect_to_the_line(world, login, district_line):
    client = login(world.user("district_a"))
    response = client.post(
        allocate_url(district_line),
        {"amount": "600000", "center": world.district_center_a.pk, "reason": "区培训学校"},
    )
    assert response.status_code == 302
    assert response["Location"] == district_line.get_absolute_url()
    district_line.refresh_from_db()
    assert district_line.allocated == D("600000.00")
    allocation = Allocation.objects.get(line=district_line)
    assert allocation.center == world.district_center_a
    assert allocation.created_by == world.user("district_a")
    page = client.get(response["Location"]).content.decode()
    assert "经费安排已记录。" in page


def test_refusals_are_form_errors_in_chinese(world, login, district_line, sub):
    client = login(world.user("district_a"))
    url = allocate_url(district_line)
    over = client.post(url, {"amount": "1000000.01", "center": world.district_center_a.pk})
    assert over.status_code == 200
    assert "该预算科目仅剩 ¥1,000,000.00 可安排。" in over.content.decode()
    none = client.post(url, {"amount": "100"})
    assert "请选择一个培训计划、项目、子项目或中心。" in none.content.decode()
    # Another district's center is not offered (training money: the own school only).
    other = client.post(url, {"amount": "100", "center": world.center_b.pk})
    assert other.status_code == 200 and "invalid-feedback" in other.content.decode()
    assert not Allocation.objects.exists()


def test_pay_against_a_due_payment_step(world, login, line, sub, contract):
    allocation = services.allocate(line=line, subproject=sub, amount="50000")
    step = PaymentStep.objects.get(contract=contract, position=1)
    client = login(world.user("bureau"))
    url = reverse("funding:allocation-disburse", args=[allocation.pk])
    form = client.get(url).content.decode()
    assert contract.number in form
    # The pending step is not offered.
    assert f'value="{PaymentStep.objects.get(contract=contract, position=2).pk}"' not in form
    too_much = client.post(
        url, {"amount": "30000.01", "kind": "prepayment", "payment_step": step.pk}
    )
    assert "该付款节点仅剩 ¥30,000.00 可支付。" in too_much.content.decode()
    response = client.post(
        url, {"amount": "30000", "kind": "prepayment", "payment_step": step.pk, "payee": "机构甲"}
    )
    assert response.status_code == 302 and response["Location"] == line.get_absolute_url()
    payment = Disbursement.objects.get(allocation=allocation)
    assert payment.contract == contract and payment.payment_step == step
    step.refresh_from_db()
    assert step.status == "paid"
    line.refresh_from_db()
    assert line.disbursed == D("30000.00")


def test_reverse_an_allocation_with_a_reason(world, login, district_line):
    allocation = services.allocate(
        line=district_line, center=world.district_center_a, amount="1000"
    )
    services.disburse(allocation=allocation, amount="400", kind="progress")
    client = login(world.user("district_a"))
    url = reverse("funding:allocation-reverse", args=[allocation.pk])
    no_reason = client.post(url, {"amount": "100"})
    assert no_reason.status_code == 200 and "invalid-feedback" in no_reason.content.decode()
    too_much = client.post(url, {"amount": "700", "reason": "调整"})
    assert "该安排仅有 ¥600.00 未拨付，可以冲销。" in too_much.content.decode()
    response = client.post(url, {"reason": "项目取消"})  # empty amount: all that is unpaid
    assert response.status_code == 302
    district_line.refresh_from_db()
    assert district_line.allocated == D("400.00")
    entry = Allocation.objects.get(reverses=allocation)
    assert entry.amount == D("-600.00") and entry.reason == "项目取消"


def test_refund_a_payment(world, login, district_line):
    allocation = services.allocate(
        line=district_line, center=world.district_center_a, amount="1000"
    )
    paid = services.disburse(allocation=allocation, amount="400", kind="progress")
    client = login(world.user("district_a"))
    url = reverse("funding:disbursement-reverse", args=[paid.pk])
    too_much = client.post(url, {"amount": "500", "kind": "refund", "reason": "多付"})
    assert "该拨付仅有 ¥400.00 可以冲销。" in too_much.content.decode()
    response = client.post(url, {"amount": "50", "kind": "refund", "reason": "多付退回"})
    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.refunded == D("50.00")
    district_line.refresh_from_db()
    assert district_line.disbursed == D("350.00")
    # A reversal cannot itself be reversed: no form for it.
    entry = Disbursement.objects.get(reverses=paid)
    assert client.get(reverse("funding:disbursement-reverse", args=[entry.pk])).status_code == 404


def test_center_building_money_goes_only_to_a_center(world, login):
    line = services.create_line(
        year=2026,
        holder_kind=HolderKind.BUREAU,
        source=FundingSource.MUNICIPAL,
        purpose=Purpose.CENTER_BUILDING,
        name="中心建设",
        amount="100000",
    )
    client = login(world.user("bureau"))
    form = client.get(allocate_url(line)).content.decode()
    assert 'name="subproject"' not in form and 'name="center"' in form
    response = client.post(allocate_url(line), {"amount": "1000", "center": world.center_a.pk})
    assert response.status_code == 302
    assert BudgetLine.objects.get(pk=line.pk).allocated == D("1000.00")


def test_line_detail_queries_stay_constant(world, login, district_line):
    def more(n):
        for _ in range(n):
            a = services.allocate(line=district_line, center=world.district_center_a, amount="100")
            services.disburse(allocation=a, amount="10", kind="progress")

    more(1)
    client = login(world.user("district_a"))
    assert_constant_queries(client, district_line.get_absolute_url(), more, more=3)
