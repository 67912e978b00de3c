"""The demo's principals' evaluation: 天河区's campaign computed into a
profile, one school's parents under the minimum; and the 2019–2020
satisfaction figures (87 %, 90.37 %) from generated answers."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from core.charts import default_filters
from evaluation.demo import CAMPAIGN_TERM, load
from evaluation.models import Campaign, CampaignStatus, RaterToken, Survey
from evaluation.panels import principals_profile_figures

pytestmark = pytest.mark.django_db


def test_demo_campaign_profile_and_figures(demo_federation, db):
    campaign = Campaign.objects.get(term=CAMPAIGN_TERM, district__name="天河区")
    assert campaign.progress == 100 and campaign.computed_at
    # Closed, so the bureau's principals' profile (closed campaigns only) shows it.
    assert campaign.status == CampaignStatus.CLOSED
    bureau = get_user_model().objects.get(username="bureau")
    profile = principals_profile_figures(bureau, default_filters())
    assert f"天河区({CAMPAIGN_TERM})" in profile.categories and not profile.is_empty
    principals = list(campaign.appraisees.order_by("school__name", "pk"))
    assert len(principals) >= 3 and all(p.score is not None for p in principals)
    first = principals[0]
    assert first.scores["groups"]["parents"] == {"n": 4, "shown": False, "dims": None}
    assert all(p.scores["groups"]["teachers"]["shown"] for p in principals)
    # A contrast to see: each principal's strongest dimension beats the weakest.
    for p in principals:
        values = [Decimal(v) for v in p.scores["dims"].values()]
        assert max(values) - min(values) >= 1
    assert RaterToken.objects.filter(appraisee=first, used_at__isnull=True).count() == 40
    rates = dict(
        Survey.objects.filter(title__startswith="2019—2020").values_list("title", "results")
    )
    assert sorted(r["satisfaction"] for r in rates.values()) == ["87.00", "90.37"]


def test_demo_closes_a_campaign_it_left_open(demo_federation, db):
    """A demo loaded before the campaign was closed: loading again closes it."""
    campaign = Campaign.objects.get(term=CAMPAIGN_TERM, district__name="天河区")
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.OPEN)
    load()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and campaign.progress == 100
