"""The demo's principals' evaluation: 天河区's campaign computed into a
profile, one school's parents under the minimum; and the 2019–2020
satisfaction figures (87 %, 90.37 %) from generated answers."""

from decimal import Decimal

import pytest

from evaluation.demo import CAMPAIGN_TERM
from evaluation.models import Campaign, RaterToken, Survey

pytestmark = pytest.mark.django_db


def test_demo_campaign_profile_and_figures(demo_federation, db):
    campaign = Campaign.objects.get(term=CAMPAIGN_TERM, district__name="天河区")
    assert campaign.progress == 100 and campaign.computed_at
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
