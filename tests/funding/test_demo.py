"""The demo's funding figures are DOMAIN.md §6's."""

from decimal import Decimal

import pytest

from centers.models import District, School
from funding import demo as funding_demo
from funding import services
from funding.models import BudgetLine, HolderKind

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_federation, db):
    """The demo federation, loaded once for this module."""


def test_hezhou_2019_disbursed_in_full(demo):
    lines = BudgetLine.objects.filter(year=2019, name__startswith="贺州市")
    ex = services.execution(lines)
    assert ex.budget == D("5002800.00") == ex.disbursed
    assert ex.rate == D("100.0")
    years = {
        e.label: e.budget
        for e in services.execution_by_year(BudgetLine.objects.filter(name__startswith="贺州市"))
    }
    assert years == {
        "2016": D("1850000.00"),
        "2017": D("4081000.00"),
        "2018": D("4039480.00"),
        "2019": D("5002800.00"),
        "2020": D("5337060.00"),
    }


def test_investment_to_date(demo):
    assert services.investment_to_date(since=2018) == {
        "municipal": D("19070000.00"),
        "district": D("76877000.00"),
    }


def test_schools_pass_and_fail_the_five_percent_rule(demo):
    schools = School.objects.filter(district__code="tianhe").order_by("pk")[:3]
    verdicts = [
        services.evaluate_policies(holder=s, year=funding_demo.YEAR)[0].passes for s in schools
    ]
    assert verdicts == [True, False, True]


def test_districts_pass_and_fail(demo):
    def checks(code):
        district = District.objects.get(code=code)
        return {
            c.rule.metric: c
            for c in services.evaluate_policies(holder=district, year=funding_demo.YEAR)
        }

    tianhe = checks("tianhe")
    assert tianhe["district_payroll_share"].value == D("2.80")
    assert tianhe["training_school_share"].value == D("66.00")
    assert all(c.passes for c in tianhe.values())
    assert not checks("nansha")["district_payroll_share"].passes
    assert not checks("conghua")["training_school_share"].passes


def test_a_payment_against_a_contract_step(demo):
    from training.models import PaymentStep

    step = PaymentStep.objects.get(contract__number=f"GZJY-{funding_demo.YEAR}-HT-001", position=1)
    assert step.status == "paid" and services.step_paid(step) == step.amount
    assert BudgetLine.objects.filter(holder_kind=HolderKind.DISTRICT).count() == 11
