"""Principals' end-of-term evaluation: one-time anonymous links, the minimum
answers per rater group before a score shows, weights per group as data, an
idempotent computation with progress, the district profile."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.models import (
    Campaign,
    Dimension,
    GroupWeight,
    Item,
    RaterGroup,
    Rating,
    RatingAnswer,
)
from evaluation.tasks import compute_campaign
from tests.evaluation.conftest import item_answers, opened
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

DIMS = Dimension.values


@pytest.fixture
def campaign(world):
    by = world.user("district_a")
    return opened(services.start_campaign(district=world.district_a, term="2023—2026", by=by), by)


@pytest.fixture
def principal(world, campaign):
    return services.add_principal(
        campaign=campaign, school=world.school_a, name="王校长", by=world.user("district_a")
    )


def _rate(principal, group, n, value, by):
    links = services.issue_links(appraisee=principal, group=group, count=n, by=by)
    for link in links:
        services.rate(token=link.token, answers=item_answers(link, value))
    return links


def test_only_the_district_runs_its_campaign(world, campaign):
    assert GroupWeight.objects.filter(campaign=campaign).count() == 4
    with pytest.raises(PermissionDenied):
        services.add_principal(
            campaign=campaign, school=world.school_a, name="x", by=world.user("district_b")
        )
    with pytest.raises(ValidationError):  # a school of another district
        services.add_principal(
            campaign=campaign, school=world.school_b, name="x", by=world.user("district_a")
        )
    with pytest.raises(PermissionDenied):
        services.start_campaign(district=world.district_a, term="2030", by=world.user("district_b"))
    assert not Campaign.objects.filter(term="2030").exists()
    with pytest.raises(ValidationError):
        services.start_campaign(
            district=world.district_a, term="2023—2026", by=world.user("district_a")
        )


def test_one_time_link_and_anonymous_rating(world, principal):
    by = world.user("district_a")
    (link,) = services.issue_links(appraisee=principal, group=RaterGroup.PARENTS, count=1, by=by)
    with pytest.raises(ValidationError):
        services.rate(token=link.token, answers={})
    services.rate(token=link.token, answers=item_answers(link, 4))
    with pytest.raises(ValidationError):
        services.rate(token=link.token, answers=item_answers(link, 4))
    assert Rating.objects.count() == 1 and RatingAnswer.objects.count() == 25
    # Nothing in the rating or its answers names the rater or the link.
    assert set(Rating.objects.values().get()) == {"id", "appraisee_id", "group", "submitted_on"}
    assert set(RatingAnswer.objects.values().first()) == {"id", "rating_id", "item_id", "value"}
    with pytest.raises(PermissionDenied):
        services.rate(token="guessed", answers=item_answers(link, 4))


def test_campaign_questionnaire_is_25_items_copied_from_the_default(campaign):
    items = list(campaign.items.all())
    assert len(items) == 25
    assert {d: sum(i.dimension == d for i in items) for d in DIMS} == dict.fromkeys(DIMS, 5)
    defaults = Item.objects.filter(campaign__isnull=True).order_by("order")
    assert [i.text for i in items] == [i.text for i in defaults]
    # The campaign keeps its own wording: editing the default changes nothing in it.
    Item.objects.filter(campaign__isnull=True).update(text="改")
    assert not campaign.items.filter(text="改").exists()


def test_every_item_answered_1_to_5(world, principal):
    by = world.user("district_a")
    (link,) = services.issue_links(appraisee=principal, group=RaterGroup.PARENTS, count=1, by=by)
    answers = item_answers(link, 4)
    missing = dict(list(answers.items())[1:])
    with pytest.raises(ValidationError) as missed:
        services.rate(token=link.token, answers=missing)
    assert len(missed.value.messages) == 1 and "1" in missed.value.messages[0]
    with pytest.raises(ValidationError):
        services.rate(token=link.token, answers={**answers, next(iter(answers)): 6})
    assert not Rating.objects.exists() and link.__class__.objects.get(pk=link.pk).used_at is None


def test_dimension_score_is_the_mean_of_its_items(world, principal):
    """Each teacher answers the ethics items 5, 5, 4, 4, 3 (mean 4.2) and the
    others 3: ethics 4.20, the others 3.00, the score their mean 3.24."""
    by = world.user("district_a")
    ethics = list(principal.campaign.items.filter(dimension="ethics").order_by("order"))
    for link in services.issue_links(
        appraisee=principal, group=RaterGroup.TEACHERS, count=5, by=by
    ):
        answers = item_answers(link, 3)
        answers.update({i.pk: v for i, v in zip(ethics, (5, 5, 4, 4, 3), strict=True)})
        services.rate(token=link.token, answers=answers)
    compute_campaign(principal.campaign_id)
    principal.refresh_from_db()
    assert principal.scores["groups"]["teachers"]["dims"]["ethics"] == "4.20"
    assert principal.scores["dims"] == {**dict.fromkeys(DIMS, "3.00"), "ethics": "4.20"}
    assert principal.score == Decimal("3.24")


def test_group_under_the_minimum_shows_no_score(world, principal):
    by = world.user("district_a")
    _rate(principal, RaterGroup.TEACHERS, 5, 4, by)  # at the minimum: shows
    _rate(principal, RaterGroup.PARENTS, 4, 1, by)  # under it: hidden, and not counted
    compute_campaign(principal.campaign_id)
    principal.refresh_from_db()
    groups = principal.scores["groups"]
    assert groups["teachers"] == {"n": 5, "shown": True, "dims": dict.fromkeys(DIMS, "4.00")}
    assert groups["parents"] == {"n": 4, "shown": False, "dims": None}
    assert groups["students"]["shown"] is False and groups["students"]["n"] == 0
    assert principal.scores["dims"] == dict.fromkeys(DIMS, "4.00")
    assert principal.score == Decimal("4.00")
    # The fifth parent answers: parents show and weigh in (teachers 35, parents 20).
    _rate(principal, RaterGroup.PARENTS, 1, 1, by)
    compute_campaign(principal.campaign_id)
    principal.refresh_from_db()
    # (4 × 35 + 1 × 20) / 55 = 2.909… → 2.91
    assert principal.scores["dims"]["ethics"] == "2.91"
    assert principal.score == Decimal("2.91")


def test_nobody_at_the_minimum_no_score(world, principal):
    _rate(principal, RaterGroup.STUDENTS, 2, 5, world.user("district_a"))
    compute_campaign(principal.campaign_id)
    principal.refresh_from_db()
    assert principal.score is None and principal.scores["dims"]["ethics"] is None


def test_minimum_and_weights_are_data(world, campaign, principal):
    by = world.user("district_a")
    _rate(principal, RaterGroup.STUDENTS, 2, 5, by)
    _rate(principal, RaterGroup.MANAGERS, 2, 3, by)
    Campaign.objects.filter(pk=campaign.pk).update(min_answers=2)
    GroupWeight.objects.filter(campaign=campaign, group="students").update(weight=75)
    compute_campaign(campaign.pk)
    principal.refresh_from_db()
    # (5 × 75 + 3 × 25) / 100 = 4.50
    assert principal.score == Decimal("4.50")


def test_computation_twice_same_scores_and_progress(world, campaign, principal):
    by = world.user("district_a")
    other = services.add_principal(
        campaign=campaign,
        school=SchoolFactory(district=world.district_a),
        name="李校长",
        by=by,
    )
    _rate(principal, RaterGroup.TEACHERS, 6, 5, by)
    _rate(other, RaterGroup.TEACHERS, 5, 3, by)
    assert compute_campaign(campaign.pk) == 2
    first = {a.pk: (a.scores, a.score) for a in campaign.appraisees.all()}
    campaign.refresh_from_db()
    assert campaign.progress == 100 and campaign.computed_at
    assert compute_campaign(campaign.pk) == 2
    assert {a.pk: (a.scores, a.score) for a in campaign.appraisees.all()} == first
    profile = services.district_profile(campaign)
    assert len(profile["rows"]) == 2
    assert {b["band"]: b["count"] for b in profile["distribution"]["ethics"]} == {
        "< 3": 0,
        "3–4": 1,
        "≥ 4": 1,
    }
    # The campaign page's counts by the database agree with it.
    assert services.distribution(campaign) == profile["distribution"]


def test_pages(world, campaign, principal, client, login):
    by = world.user("district_a")
    (link,) = services.issue_links(appraisee=principal, group=RaterGroup.STUDENTS, count=1, by=by)
    url = reverse("evaluation:rate", args=[link.token])
    assert client.get(url).status_code == 200  # anonymous rater, no account
    form = {f"item-{pk}": "5" for pk in item_answers(link, 5)}
    assert f'name="item-{next(iter(item_answers(link, 5)))}"' in client.get(url).content.decode()
    short = client.post(url, dict(list(form.items())[1:]))
    assert short.status_code == 400 and not Rating.objects.exists()
    assert 'value="5" id' in short.content.decode() and " checked" in short.content.decode()
    response = client.post(url, form)
    assert response.status_code == 200 and Rating.objects.count() == 1
    again = client.post(url, form)
    # A second try is refused, and says so (409, the link is used).
    assert Rating.objects.count() == 1 and again.status_code == 409
    assert "data-used" in again.content.decode() and "data-rated" not in again.content.decode()
    assert client.get(reverse("evaluation:rate", args=["guessed"])).status_code == 404
    compute_campaign(campaign.pk)
    page = login(by).get(campaign.get_absolute_url())
    assert page.status_code == 200 and "王校长" in page.content.decode()
    assert login(world.user("district_b")).get(campaign.get_absolute_url()).status_code == 404
    assert login(world.user("bureau")).get(reverse("evaluation:campaign-list")).status_code == 200


def test_campaign_list_constant_queries(world, campaign, login):
    from centers.models import District
    from tests.contracts import assert_constant_queries

    def add(n):
        for i in range(n):
            services.start_campaign(
                district=world.district_a, term=f"20{i}", by=world.user("bureau")
            )

    client = login(world.user("bureau"))
    assert_constant_queries(client, reverse("evaluation:campaign-list"), add)
    assert District.objects.exists()
