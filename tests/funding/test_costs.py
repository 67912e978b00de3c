"""Cost per trainee (paid ÷ trainees who completed) on a line's page and a
holder's budget book, in a fixed number of queries."""

from decimal import Decimal

import pytest

from funding import services
from tests.contracts import assert_constant_queries
from tests.dashboards.conftest import award, enrolled
from tests.dashboards.conftest import policy as _policy
from tests.factories import TeacherFactory
from tests.training.factories import SubProjectFactory

D = Decimal
pytestmark = pytest.mark.django_db


policy = pytest.fixture(_policy.__wrapped__, name="policy")


def completed(sub, teacher):
    enrolment = enrolled(sub, teacher)
    enrolment.credit_entry = award(teacher, "24").entry
    enrolment.save(update_fields=["credit_entry"])
    return enrolment


@pytest.fixture
def paid_sub(world, district_line, sub, policy):
    a = services.allocate(line=district_line, subproject=sub, amount="90000")
    services.disburse(allocation=a, amount="60000", kind="progress")
    completed(sub, world.teacher_a)
    completed(sub, TeacherFactory(school=world.school_a))
    enrolled(sub, TeacherFactory(school=world.school_a))  # not completed: not counted
    return sub


def test_the_service_agrees_with_cost_per_trainee(paid_sub):
    (row,) = services.trainee_costs([paid_sub])
    assert row.paid == D("60000.00") and row.trainees == 2
    assert row.cost == D("30000.00") == services.cost_per_trainee(paid_sub)


def test_line_and_book_show_the_cost_per_trainee(world, login, district_line, paid_sub):
    client = login(world.user("district_a"))
    for url in (
        district_line.get_absolute_url(),
        f"/funding/book/district/{world.district_a.pk}/?year=2026",
    ):
        page = client.get(url).content.decode()
        assert "生均培训成本" in page
        assert f'data-subproject="{paid_sub.pk}"' in page
        assert "¥30,000.00" in page


def test_costs_take_constant_queries(world, login, district_line, paid_sub):
    def more(n):
        for _ in range(n):
            sub = SubProjectFactory(center=world.center_a, vendor=world.vendor)
            a = services.allocate(line=district_line, subproject=sub, amount="100")
            services.disburse(allocation=a, amount="50", kind="progress")
            completed(sub, TeacherFactory(school=world.school_a))

    client = login(world.user("district_a"))
    assert_constant_queries(client, district_line.get_absolute_url(), more, more=2)
