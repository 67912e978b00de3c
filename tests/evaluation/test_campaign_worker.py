"""The scoring task through a real Celery worker on Redis: queued with the
campaign's id, it reports progress on the campaign and stores the scores; a
second run stores the same. Needs PostgreSQL and Redis (REDIS_URL): skipped
locally without them, failing in CI."""

import sys
import time

import pytest

from evaluation import services
from evaluation.models import Campaign, RaterGroup
from evaluation.tasks import compute_campaign
from tests.conftest import require
from tests.core.test_worker_kill import Worker
from tests.evaluation.conftest import item_answers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path, settings, redis_services, postgres):
    require(sys.platform.startswith("linux"), "Linux")
    w = Worker(tmp_path, settings, "solo").start(f"test-evaluation-{time.monotonic_ns()}")
    deadline = time.monotonic() + 300  # a loaded machine boots Django slowly
    while " ready." not in w.logs() and time.monotonic() < deadline:
        time.sleep(0.5)
    yield w
    w.kill_all()


def _wait(campaign, computed_after, worker, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.computed_at and (
            computed_after is None or campaign.computed_at > computed_after
        ):
            return campaign
        time.sleep(0.2)
    pytest.fail(f"campaign {campaign.pk}: progress {campaign.progress}\n{worker.logs()}")


def test_scores_computed_by_a_worker_twice_the_same(world, worker, monkeypatch):
    # The answers' own recomputation would go to the default queue: only ours here.
    monkeypatch.setattr(services, "schedule_campaign", lambda campaign_id: None)
    by = world.user("district_a")
    campaign = services.start_campaign(district=world.district_a, term="2023—2026", by=by)
    services.set_campaign_status(campaign=campaign, status="open", by=by)
    principal = services.add_principal(
        campaign=campaign, school=world.school_a, name="王校长", by=by
    )
    for link in services.issue_links(
        appraisee=principal, group=RaterGroup.TEACHERS, count=5, by=by
    ):
        services.rate(token=link.token, answers=item_answers(link, 4))
    Campaign.objects.filter(pk=campaign.pk).update(progress=0, computed_at=None)

    compute_campaign.apply_async((campaign.pk,), queue=worker.queue)
    campaign = _wait(campaign, None, worker)
    assert campaign.progress == 100
    principal.refresh_from_db()
    first = (principal.scores, principal.score)
    assert str(principal.score) == "4.00" and principal.scores["groups"]["teachers"]["n"] == 5

    compute_campaign.apply_async((campaign.pk,), queue=worker.queue)
    _wait(campaign, campaign.computed_at, worker)
    principal.refresh_from_db()
    assert (principal.scores, principal.score) == first
