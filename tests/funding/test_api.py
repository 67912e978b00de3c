"""Funding API: scope, money moved only through the services (refusals 400
in Chinese, never 500), and the district's idempotent figure batches."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from funding import services
from funding.models import BudgetFigure, BudgetLine, FundingSource, HolderKind
from tests.contracts import ApiContract, assert_constant_queries

D = Decimal
pytestmark = pytest.mark.django_db


def district_line(district, amount="100000", name="区教师培训经费"):
    return services.create_line(
        year=2026,
        holder_kind=HolderKind.DISTRICT,
        district=district,
        source=FundingSource.DISTRICT,
        name=name,
        amount=amount,
    )


class TestLineApiContract(ApiContract):
    permitted = "district_a"
    outside = "district_b"
    forbidden = "teacher_a"

    def url(self, world):
        return f"/api/v1/funding/lines/{district_line(world.district_a).pk}/"


def test_allocate_pay_and_reverse_through_the_api(world, login, sub):
    line = district_line(world.district_a)
    client = login(world.user("district_a"))
    url = f"/api/v1/funding/lines/{line.pk}/allocate/"
    answer = client.post(url, {"amount": "60000", "subproject": sub.pk}, "application/json")
    assert answer.status_code == 201, answer.content
    allocation = answer.json()["id"]
    answer = client.post(url, {"amount": "40000.01", "subproject": sub.pk}, "application/json")
    assert answer.status_code == 400
    assert (
        login(world.user("district_b"))
        .post(url, {"amount": "1", "subproject": sub.pk}, "application/json")
        .status_code
        == 404
    )
    pay = f"/api/v1/funding/allocations/{allocation}/disburse/"
    answer = client.post(pay, {"amount": "60000.01", "kind": "prepayment"}, "application/json")
    assert answer.status_code == 400
    answer = client.post(pay, {"amount": "50000", "kind": "prepayment"}, "application/json")
    assert answer.status_code == 201
    payment = answer.json()["id"]
    answer = client.post(
        f"/api/v1/funding/disbursements/{payment}/reverse/",
        {"amount": "10000", "reason": "退款"},
        "application/json",
    )
    assert answer.status_code == 201 and answer.json()["amount"] == "-10000.00"
    line.refresh_from_db()
    assert (line.allocated, line.disbursed) == (D("60000.00"), D("40000.00"))
    answer = client.post(
        f"/api/v1/funding/allocations/{allocation}/reverse/",
        {"reason": "调整"},
        "application/json",
    )
    assert answer.status_code == 201 and answer.json()["amount"] == "-20000.00"
    assert client.get(f"/api/v1/funding/lines/{line.pk}/").json()["available"] == "60000.00"


def test_refusals_are_chinese(world, login, sub, settings):
    line = district_line(world.district_a, amount="10")
    client = login(world.user("district_a"))
    answer = client.post(
        f"/api/v1/funding/lines/{line.pk}/allocate/",
        {"amount": "11", "subproject": sub.pk},
        "application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 400
    assert "¥10.00" in str(answer.json()) and "可" in str(answer.json())


def system(api_token):
    raw, _token = api_token("system_a")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_district_posts_its_budget_figures_idempotently(world, api_token):
    world.school_a.external_id = "S-001"
    world.school_a.save()
    client = system(api_token)
    rows = [
        {"year": 2026, "kind": "teacher_payroll", "amount": "45000000.00"},
        {
            "year": 2026,
            "kind": "public_fund_budget",
            "amount": "2000000",
            "school_external_id": "S-001",
        },
        {
            "year": 2026,
            "line_id": "TH-2026-01",
            "name": "天河区教师培训经费",
            "source": "payroll",
            "amount": "1125000",
        },
    ]
    answer = client.post("/api/v1/funding/figures/batch/", {"rows": rows}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"created": 3, "updated": 0, "unchanged": 0}
    again = client.post("/api/v1/funding/figures/batch/", {"rows": rows}, format="json")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3}
    assert BudgetFigure.objects.count() == 2 and BudgetLine.objects.count() == 1
    rows[0]["amount"] = "46000000"
    assert client.post("/api/v1/funding/figures/batch/", {"rows": rows}, format="json").json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
    }
    check = services.evaluate_policies(holder=world.district_a, year=2026)
    assert {c.rule.metric: c.value for c in check}["district_payroll_share"] == D("2.45")


def test_a_bad_batch_writes_nothing(world, api_token, login):
    client = system(api_token)
    rows = [
        {"year": 2026, "kind": "teacher_payroll", "amount": "1"},
        {"year": 2026, "kind": "public_fund_budget", "amount": 1.5, "school_external_id": "x"},
        {"year": 1800, "kind": "teacher_payroll", "amount": "1"},
    ]
    answer = client.post("/api/v1/funding/figures/batch/", {"rows": rows}, format="json")
    assert answer.status_code == 400
    assert [e["index"] for e in answer.json()["error"]["details"]["rows"]] == [1, 2]
    assert not BudgetFigure.objects.exists()
    # district staff are no district system
    assert (
        login(world.user("district_a"))
        .post("/api/v1/funding/figures/batch/", {"rows": rows}, "application/json")
        .status_code
        == 403
    )


def test_line_api_list_has_constant_queries(world, login):
    district_line(world.district_a, name="经费")
    n = iter(range(100))

    def add(count):
        for _ in range(count):
            district_line(world.district_a, name=f"经费{next(n)}")

    assert_constant_queries(login(world.user("bureau")), "/api/v1/funding/lines/", add)
