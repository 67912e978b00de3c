"""A campaign being prepared: its owner edits the questionnaire's items and
the rater-group weights (every group, adding up to 100) on a page and
through the API; once the campaign opens both are frozen, for page and API
alike (the rule is ``services.check_editable``)."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEntry
from evaluation import services
from evaluation.models import Campaign, CampaignStatus, Item
from tests.contracts import PageContract, assert_constant_queries
from tests.evaluation.conftest import opened

pytestmark = pytest.mark.django_db

API = "/api/v1/evaluation/campaigns/"
GOOD = {"students": "10", "parents": "20", "teachers": "40", "managers": "30"}


@pytest.fixture
def campaign(world):
    return services.start_campaign(
        district=world.district_a, term="2023—2026", by=world.user("district_a")
    )


def _campaign(world):
    if not hasattr(world, "_campaign"):
        world._campaign = services.start_campaign(
            district=world.district_a, term="2030", by=world.user("district_a")
        )
    return world._campaign


class TestEditPage(PageContract):
    permitted = "district_a"
    outside = "district_b"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("evaluation:campaign-edit", args=[_campaign(world).pk])


# --- The rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "weights,message",
    [
        ({**GOOD, "students": "20"}, "合计为 110"),
        ({k: v for k, v in GOOD.items() if k != "managers"}, "中层"),
        ({**GOOD, "students": "-10", "parents": "40"}, "0 到 100"),
        ({**GOOD, "students": "10.005", "parents": "19.995"}, "两位小数"),
        ({**GOOD, "students": "abc"}, "0 到 100"),
        ({**GOOD, "neighbours": "0"}, "未知"),
    ],
)
def test_weights_rule(weights, message):
    with pytest.raises(ValidationError) as exc:
        services.check_weights(weights)
    assert message in " ".join(exc.value.messages)


def test_weights_and_items_change_before_opening_only(world, campaign):
    by = world.user("district_a")
    assert campaign.status == CampaignStatus.DRAFT and campaign.editable
    services.set_weights(campaign=campaign, weights=GOOD, by=by)
    assert dict(campaign.weights.values_list("group", "weight")) == {
        k: Decimal(v) for k, v in GOOD.items()
    }
    first = campaign.items.order_by("order").first()
    services.edit_items(campaign=campaign, texts={first.pk: " 依法 办学 "}, by=by)
    first.refresh_from_db()
    assert first.text == "依法 办学"
    # The default questionnaire (a new campaign's copy) is untouched.
    assert Item.objects.get(campaign=None, order=first.order).text != "依法 办学"
    assert (
        AuditEntry.objects.filter(
            object_id=str(campaign.pk),
            message_key__in=["evaluation.weights_changed", "evaluation.items_changed"],
        ).count()
        == 2
    )
    # Another district's staff may not.
    with pytest.raises(PermissionDenied):
        services.set_weights(campaign=campaign, weights=GOOD, by=world.user("district_b"))
    opened(campaign, by)
    for change in (
        lambda: services.set_weights(campaign=campaign, weights=GOOD, by=by),
        lambda: services.edit_items(campaign=campaign, texts={first.pk: "新题目"}, by=by),
    ):
        with pytest.raises(ValidationError) as exc:
            change()
        assert exc.value.code == "frozen" and "冻结" in exc.value.messages[0]
    # Frozen for good: a closed campaign does not go back to preparation.
    services.set_campaign_status(campaign=campaign, status=CampaignStatus.CLOSED, by=by)
    with pytest.raises(ValidationError):
        services.set_campaign_status(campaign=campaign, status=CampaignStatus.DRAFT, by=by)


def test_item_texts_rule(world, campaign):
    by = world.user("district_a")
    one, two = campaign.items.order_by("order")[:2]
    for texts, message in (
        ({one.pk: "  "}, "请填写"),
        ({one.pk: "长" * 301}, "300"),
        ({one.pk: two.text}, "相同"),
        ({999999: "x"}, "不是本问卷"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.edit_items(campaign=campaign, texts=texts, by=by)
        assert message in " ".join(exc.value.messages), texts
    assert campaign.items.get(pk=one.pk).text == one.text


def test_a_draft_neither_closes_nor_takes_answers(world, campaign):
    by = world.user("district_a")
    with pytest.raises(ValidationError):
        services.set_campaign_status(campaign=campaign, status=CampaignStatus.CLOSED, by=by)
    a = services.add_principal(campaign=campaign, school=world.school_a, name="王校长", by=by)
    (link,) = services.issue_links(appraisee=a, group="teachers", count=1, by=by)
    answers = dict.fromkeys(campaign.items.values_list("pk", flat=True), 4)
    with pytest.raises(ValidationError) as exc:
        services.rate(token=link.token, answers=answers)
    assert exc.value.code == "draft"


def test_start_with_weights_checks_them(world):
    with pytest.raises(ValidationError):
        services.start_campaign(
            district=world.district_a,
            term="2040",
            by=world.user("district_a"),
            weights={**GOOD, "students": "50"},
        )
    assert not Campaign.objects.filter(term="2040").exists()


# --- The page ------------------------------------------------------------------------


def _post(campaign, weights=GOOD, texts=None):
    data = {f"weight_{g}": v for g, v in weights.items()}
    for item in campaign.items.all():
        data[f"item_{item.pk}"] = (texts or {}).get(item.pk, item.text)
    return data


def test_edit_page_saves_and_refuses_in_chinese(world, login, campaign):
    client = login(world.user("district_a"))
    url = reverse("evaluation:campaign-edit", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert page.count('name="item_') == 25 and page.count('name="weight_') == 4
    assert "data-save" in page and "师德表现" in page
    first = campaign.items.order_by("order").first()
    wrong = client.post(url, _post(campaign, {**GOOD, "teachers": "45"}, {first.pk: "新表述"}))
    assert wrong.status_code == 200 and "须为 100" in wrong.content.decode()
    assert campaign.weights.get(group="teachers").weight == Decimal("35")
    assert campaign.items.get(pk=first.pk).text == first.text  # all or nothing
    done = client.post(url, _post(campaign, GOOD, {first.pk: "新表述"}))
    assert done.status_code == 302 and done.url == campaign.get_absolute_url()
    assert campaign.weights.get(group="teachers").weight == Decimal("40")
    assert campaign.items.get(pk=first.pk).text == "新表述"
    # Another district: 404, nothing changed.
    other = login(world.user("district_b")).post(url, _post(campaign, GOOD, {first.pk: "外区"}))
    assert other.status_code == 404 and campaign.items.get(pk=first.pk).text == "新表述"


def test_opening_on_the_page_freezes_the_edit_page(world, login, campaign):
    client = login(world.user("district_a"))
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert "data-open-campaign" in detail and "data-draft" in detail
    response = client.post(reverse("evaluation:campaign-status", args=[campaign.pk, "open"]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    url = reverse("evaluation:campaign-edit", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "data-frozen" in page and "data-save" not in page and "冻结" in page
    assert client.post(url, _post(campaign)).status_code == 403
    assert "data-close-campaign" in client.get(campaign.get_absolute_url()).content.decode()
    client.post(reverse("evaluation:campaign-status", args=[campaign.pk, "closed"]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    # Another district may not open or close it.
    b = login(world.user("district_b"))
    assert (
        b.post(reverse("evaluation:campaign-status", args=[campaign.pk, "open"])).status_code == 404
    )


def test_edit_page_queries_do_not_grow_with_the_items(world, login, campaign):
    def add(n):
        last = campaign.items.order_by("-order").first().order
        Item.objects.bulk_create(
            Item(campaign=campaign, dimension="ethics", order=last + i + 1, text=f"加题{i}")
            for i in range(n)
        )

    url = reverse("evaluation:campaign-edit", args=[campaign.pk])
    assert_constant_queries(login(world.user("district_a")), url, add)


# --- The API -------------------------------------------------------------------------


def test_api_edits_before_opening_and_refuses_after(world, login, campaign):
    client = login(world.user("district_a"))
    items = client.get(f"{API}{campaign.pk}/questionnaire/").json()
    assert len(items) == 25 and {i["dimension"] for i in items} >= {"ethics", "students"}
    first = items[0]
    edited = client.post(
        f"{API}{campaign.pk}/questionnaire/",
        json.dumps({"items": [{"id": first["id"], "text": "依法治校"}]}),
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()[0]["text"] == "依法治校"
    wrong = client.post(
        f"{API}{campaign.pk}/weights/",
        json.dumps({"weights": {**GOOD, "teachers": "10"}}),
        content_type="application/json",
    )
    assert wrong.status_code == 400 and "须为 100" in wrong.content.decode()
    done = client.post(
        f"{API}{campaign.pk}/weights/",
        json.dumps({"weights": GOOD}),
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["weights"]["teachers"] == "40.00"
    # Another district: 404; a teacher: 403.
    for user, status in (("district_b", 404), ("teacher_a", 403)):
        assert (
            login(world.user(user))
            .post(
                f"{API}{campaign.pk}/weights/",
                json.dumps({"weights": GOOD}),
                content_type="application/json",
            )
            .status_code
            == status
        )
    assert client.post(f"{API}{campaign.pk}/open/").json()["status"] == "open"
    for path, body in (
        ("weights", {"weights": GOOD}),
        ("questionnaire", {"items": [{"id": first["id"], "text": "再改"}]}),
    ):
        frozen = client.post(
            f"{API}{campaign.pk}/{path}/", json.dumps(body), content_type="application/json"
        )
        assert frozen.status_code == 400 and "冻结" in frozen.content.decode()
    assert client.get(f"{API}{campaign.pk}/questionnaire/").json()[0]["text"] == "依法治校"
