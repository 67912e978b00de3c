"""Procurement pages: permission contracts, fixed query counts, the steps a
user may take shown only where ``can`` allows, and a step taken through the
page (an out-of-order one refused with its reason)."""

import pytest
from django.urls import reverse

from core.roles import Role
from tests.contracts import NOBODY_OUTSIDE, PageContract, assert_constant_queries
from tests.factories import UserFactory, member
from training.models import Expert, PaymentStepStatus, PracticeBase, ProcurementStatus

from .procurement_objects import build

pytestmark = pytest.mark.django_db


def _built(world, side="a"):
    key = f"_procurement_{side}"
    if not hasattr(world, key):
        setattr(world, key, build(world, side=side))
    return getattr(world, key)


class TestProcurementList(PageContract):
    permitted = "center_a"
    outside = "center_b"

    def url(self, world):
        _built(world)
        return reverse("training:procurement-list")

    def outside_url(self, world):
        return _built(world)["procurement"].get_absolute_url()


class TestProcurementDetail(PageContract):
    permitted = "center_a"
    outside = "center_b"

    def url(self, world):
        return _built(world)["procurement"].get_absolute_url()


class TestExpertList(PageContract):
    permitted = "center_b"
    outside = NOBODY_OUTSIDE

    def url(self, world):
        Expert.objects.create(name="陈专家")
        return reverse("training:expert-list")


class TestPracticeBaseList(PageContract):
    permitted = "district_a"
    outside = NOBODY_OUTSIDE

    def url(self, world):
        PracticeBase.objects.create(name="贺州市实验幼儿园", stage="kindergarten")
        return reverse("training:practicebase-list")


@pytest.mark.parametrize(
    ("actor", "route"),
    [
        ("center_a", "training:procurement-list"),
        ("bureau", "training:expert-list"),
        ("bureau", "training:practicebase-list"),
    ],
)
def test_lists_have_constant_queries(world, login, actor, route):
    _built(world)
    PracticeBase.objects.create(name="基地", stage="junior")
    counter = iter(range(100))

    def add_rows(n):
        i = next(counter)
        build(world, side="a", number=f"C-{i}", vendors=(f"机构乙{i}",))
        for j in range(n):
            PracticeBase.objects.create(name=f"基地 {i}-{j}", stage="primary")

    assert_constant_queries(login(world.user(actor)), reverse(route), add_rows, more=3)


def test_detail_queries_do_not_grow_with_bids_and_experts(world, login):
    from tests.contracts import count_queries

    small = build(world, side="a", upto="scored", number="S-1")["procurement"]
    client = login(world.user("center_a"))
    count_queries(client, small.get_absolute_url())
    before = count_queries(client, small.get_absolute_url())
    big = build(world, side="a", upto="scored", number="S-2", vendors=("机构戊",), n_experts=5)
    big = big["procurement"]
    assert big.panel.count() == 5
    assert count_queries(client, big.get_absolute_url()) == before


def test_detail_shows_steps_bids_scores_experts_contract(world, login):
    built = _built(world)
    html = login(world.user("center_a")).get(built["procurement"].get_absolute_url()).content
    html = html.decode()
    assert "贺州市公共资源交易中心" in html
    assert "HZ-2020-00a" in html
    assert "380,000.00" in html or "380000.00" in html
    for panelist in built["panel"]:
        assert panelist.expert.name in html
    assert "（中标）" in html
    assert "登记发票" in html  # the prepayment waits for its invoice
    assert "已签订合同" in html


def test_steps_only_where_can_allows(world, login):
    built = build(world, upto="filed")
    url = built["procurement"].get_absolute_url()
    assert "审核需求" in login(world.user("center_a")).get(url).content.decode()
    reader = UserFactory(username="secretariat")
    member(reader, Role.SECRETARIAT, world.center_b)
    page = login(reader).get(url)
    assert page.status_code == 200
    assert "审核需求" not in page.content.decode()
    step = reverse("training:procurement-step", args=[built["procurement"].pk])
    assert login(reader).post(step, {"step": "approve_need"}).status_code == 403


def test_a_step_through_the_page_and_an_out_of_order_one(world, login):
    built = build(world, upto="filed")
    p = built["procurement"]
    client = login(world.user("center_a"))
    step = reverse("training:procurement-step", args=[p.pk])
    page = client.post(step, {"step": "award"}, follow=True).content.decode()
    assert "无法定标" in page
    client.post(step, {"step": "approve_need"})
    p.refresh_from_db()
    assert p.status == ProcurementStatus.NEED_APPROVED


def test_invoice_and_payment_through_the_page(world, login):
    built = _built(world)
    contract = built["contract"]
    prepayment = contract.steps.first()
    client = login(world.user("center_a"))
    url = reverse("training:contract-step", args=[contract.pk])
    client.post(url, {"step": "invoice", "payment_step": prepayment.pk, "invoice_number": "F1"})
    client.post(url, {"step": "pay", "payment_step": prepayment.pk})
    prepayment.refresh_from_db()
    assert prepayment.status == PaymentStepStatus.PAID
