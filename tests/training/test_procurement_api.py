"""Procurement API: permission contracts, fixed query counts, a refused
out-of-order move answering 400 in Chinese, and the flow through the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.contracts import NOBODY_OUTSIDE, ApiContract, assert_constant_queries
from training.models import Expert, PracticeBase, ProcurementStatus, SubProject

from .procurement_objects import build

pytestmark = pytest.mark.django_db


def _built(world, side="a"):
    key = f"_procurement_{side}"
    if not hasattr(world, key):
        setattr(world, key, build(world, side=side))
    return getattr(world, key)


class TestProcurementApi(ApiContract):
    permitted = "center_a"
    outside = "center_b"

    def url(self, world):
        return reverse("api:training-procurement-detail", args=[_built(world)["procurement"].pk])


class TestBidApi(ApiContract):
    permitted = "vendor"
    outside = "vendor"

    def url(self, world):
        return reverse("api:training-bid-detail", args=[_built(world)["bid_a"].pk])

    def outside_url(self, world):
        return reverse("api:training-bid-detail", args=[_built(world)["bid_b"].pk])


class TestContractApi(ApiContract):
    permitted = "vendor"
    outside = "center_b"

    def url(self, world):
        return reverse("api:training-contract-detail", args=[_built(world)["contract"].pk])


class TestExpertApi(ApiContract):
    permitted = "center_b"
    outside = NOBODY_OUTSIDE

    def url(self, world):
        return reverse("api:training-expert-detail", args=[Expert.objects.create(name="甲").pk])


class TestPracticeBaseApi(ApiContract):
    permitted = "district_a"
    outside = NOBODY_OUTSIDE

    def url(self, world):
        base = PracticeBase.objects.create(name="八步区实验小学", stage="primary")
        return reverse("api:training-practicebase-detail", args=[base.pk])


@pytest.mark.parametrize(
    ("actor", "route"),
    [
        ("center_a", "api:training-procurement-list"),
        ("center_a", "api:training-bid-list"),
        ("center_a", "api:training-contract-list"),
        ("bureau", "api:training-expert-list"),
        ("bureau", "api:training-practicebase-list"),
    ],
)
def test_api_lists_have_constant_queries(world, login, actor, route):
    counter = iter(range(100))

    def add_rows(n):
        # one more procurement carried to its contract (two bids, scores,
        # two payment steps), and more experts and practice bases
        i = next(counter)
        build(world, side="a", number=f"C-{i}", vendors=(f"机构乙{i}",))
        for j in range(n):
            Expert.objects.create(name=f"专家 {i}-{j}")
            PracticeBase.objects.create(name=f"基地 {i}-{j}", stage="primary")

    _built(world)
    PracticeBase.objects.create(name="基地", stage="junior")
    assert_constant_queries(login(world.user(actor)), reverse(route), add_rows, more=3)


def test_out_of_order_move_answers_400_in_chinese(world):
    built = build(world, upto="filed")
    client = APIClient()
    client.force_authenticate(world.user("center_a"))
    url = reverse("api:training-procurement-award", args=[built["procurement"].pk])
    response = client.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    message = response.json()["error"]["details"]["non_field_errors"][0]
    assert "无法" in message and "已提交需求" in message, message


def test_the_flow_through_the_api(world):
    center = APIClient()
    center.force_authenticate(world.user("center_a"))
    built = build(world, upto="approved")
    p = built["procurement"]

    def post(route, args, body=None):
        return center.post(reverse(f"api:{route}", args=args), body or {}, format="json")

    r = post("training-procurement-announce", [p.pk], {"agency": "贺州市公共资源交易中心"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "announced"
    for vendor, amount in ((world.vendor, "380000"), (built["vendor_b"], "350000")):
        r = center.post(
            reverse("api:training-bid-list"),
            {"procurement": p.pk, "vendor": vendor.pk, "amount": amount},
            format="json",
        )
        assert r.status_code == 201, r.json()
    r = post("training-procurement-draw", [p.pk], {"seed": "api"})
    assert r.status_code == 200, r.json()
    panel = r.json()["panel"]
    assert len(panel) == 3 and r.json()["draw_seed"] == "api"
    criteria = [c["id"] for c in r.json()["criteria"]]
    for bid in p.bids.all():
        high = bid.vendor_id == world.vendor.pk
        for expert in panel:
            r = post(
                "training-bid-score",
                [bid.pk],
                {
                    "expert": expert,
                    "points": {str(criteria[0]): 50 if high else 40, str(criteria[1]): 30},
                },
            )
            assert r.status_code == 200, r.json()
    r = post("training-procurement-award", [p.pk])
    assert r.status_code == 200, r.json()
    assert r.json()["awarded_bid"] == p.bids.get(vendor=world.vendor).pk
    assert post("training-procurement-award-notice", [p.pk]).status_code == 200
    r = post(
        "training-procurement-contract",
        [p.pk],
        {
            "number": "HZ-API-1",
            "performance_bond": "19000",
            "bond_received_on": "2026-06-01",
            "steps": [
                {"kind": "prepayment", "amount": "190000", "due_condition": "against_invoice"},
                {"kind": "final", "amount": "190000", "due_condition": "after_acceptance"},
            ],
        },
    )
    assert r.status_code == 201, r.json()
    contract = r.json()
    prepayment = contract["steps"][0]["id"]
    r = post("training-paymentstep-pay", [prepayment])
    assert r.status_code == 400
    r = post("training-paymentstep-invoice", [prepayment], {"invoice_number": "FP-1"})
    assert r.json()["status"] == "due"
    assert post("training-paymentstep-pay", [prepayment]).json()["status"] == "paid"
    p.refresh_from_db()
    assert p.status == ProcurementStatus.CONTRACTED
    vendor = APIClient()
    vendor.force_authenticate(world.user("vendor"))
    sub_url = reverse("api:training-subproject-detail", args=[built["sub"].pk])
    assert vendor.get(sub_url).status_code == 200
    r = post("training-contract-end", [contract["id"]], {"reason": "提前终止"})
    assert r.json()["status"] == "ended"
    assert not SubProject.objects.filter(pk=built["sub"].pk, vendor=world.vendor).exists()
    vendor = APIClient()
    vendor.force_authenticate(type(world.user("vendor")).objects.get(username="vendor"))
    assert vendor.get(sub_url).status_code == 404
