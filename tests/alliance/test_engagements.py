"""Cross-center hiring (互聘, charter 第八条(四): 各成员单位研训师资须符合市级
教师发展中心认定标准,在此基础上,其专、兼职师资可以互聘互用): a listed trainer of
one member engaged by another, with dates, recorded by the engaging center."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import FacultyEngagement, SharedFaculty
from centers.models import Title
from tests.alliance.test_rules import qualified_staff
from tests.contracts import NOBODY_OUTSIDE, ApiContract, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = "api:alliance-engagement-list"


@pytest.fixture(autouse=True)
def _handover_done_today():
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def listing(center, **staff):
    return SharedFaculty.objects.create(
        staff=qualified_staff(center, **staff), expertise="语文教研"
    )


def post(client, data):
    return client.post(reverse(LIST), data, content_type="application/json")


def data(lst, center, **extra):
    return {
        "listing": lst.pk,
        "center": center.pk,
        "purpose": "骨干教师培训授课",
        "starts_on": "2026-09-01",
        "ends_on": "2027-01-31",
        **extra,
    }


class TestEngagementApi(ApiContract):
    permitted = "center_a"  # every member sees who is engaged where
    outside = NOBODY_OUTSIDE
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = FacultyEngagement.objects.create(
            listing=listing(world.center_a),
            center=world.center_b,
            purpose="授课",
            starts_on=date(2026, 9, 1),
            ends_on=date(2026, 12, 31),
        )

    def url(self, world):
        return reverse("api:alliance-engagement-detail", args=[self.obj.pk])


def test_another_center_engages_a_listed_trainer(world, alliance, login):
    lst = listing(world.center_a)
    client_b = login(world.user("center_b"))
    response = post(client_b, data(lst, world.center_b))
    assert response.status_code == 201, response.json()
    # the trainer's own center does not "engage across centers" its own staff
    response = post(login(world.user("center_a")), data(lst, world.center_a))
    assert "center" in response.json()["error"]["details"]
    # nor does center A record an engagement in center B's name (cross-center refusal)
    assert post(login(world.user("center_a")), data(lst, world.center_b)).status_code == 403
    engagement = FacultyEngagement.objects.get()
    url = reverse("api:alliance-engagement-detail", args=[engagement.pk])
    response = login(world.user("center_a")).patch(
        url, {"purpose": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_only_a_trainer_meeting_the_standard_and_still_listed(world, alliance, login):
    """在此基础上: the standard first (市级中心认定标准), then 互聘."""
    client = login(world.user("center_b"))
    weak = listing(world.center_a, name="吴老师")
    weak.staff.title = Title.SECOND
    weak.staff.save()
    response = post(client, data(weak, world.center_b))
    assert "listing" in response.json()["error"]["details"]
    gone = listing(world.center_a, name="郑老师")
    SharedFaculty.objects.filter(pk=gone.pk).update(withdrawn_on=date(2026, 6, 1))
    response = post(client, data(gone, world.center_b))
    assert "listing" in response.json()["error"]["details"]


def test_an_engagement_and_a_centers_appointment_name_the_same_shortfall(world, alliance, login):
    """互聘 recorded either way (an engagement of a listed trainer here, a
    ``centers.StaffAppointment`` there) is judged by one rule,
    ``centers.services.standard_shortfall``: both refusals name the same
    conditions, and the register's refusal of a listing too."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from centers import services as centers

    weak = listing(world.center_a, name="吴老师")
    weak.staff.title = Title.SECOND
    weak.staff.save()
    with translation.override("zh-hans"):
        shortfall = centers.standard_shortfall(weak.staff)
        assert shortfall == str(centers.trainer_conditions(weak.staff)[2].label)
        assert centers.standard_shortfall(listing(world.center_a, name="郑老师").staff) == ""
        with pytest.raises(ValidationError) as appointed:
            centers.appoint(
                user=world.user("center_b"),
                staff=weak.staff,
                center=world.center_b,
                role="兼职培训师",
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 1, 31),
            )
        with pytest.raises(ValidationError) as listed:
            services.check_faculty(weak.staff)
    engaged = post(login(world.user("center_b")), data(weak, world.center_b))
    assert engaged.status_code == 400
    for message in (
        appointed.value.message_dict["staff"][0],
        listed.value.message_dict["staff"][0],
        engaged.json()["error"]["details"]["listing"][0],
    ):
        assert "吴老师" in message and f"（{shortfall}）" in message


def test_the_same_trainer_engaged_and_appointed_counts_nowhere(world, alliance):
    """The two records of 互聘 (docs/centers.md, "Two records"): a trainer of A
    both engaged by B through the register and appointed by B changes no
    figure of B's standards, so no page adds the two up."""
    from centers import services as centers
    from core.roles import Role
    from tests.factories import UserFactory, member

    centers.ensure_standards()
    before = {r.rule.code: r.figure for r in centers.evaluate_center(world.center_b).results}
    lst = listing(world.center_a)
    FacultyEngagement.objects.create(
        listing=lst,
        center=world.center_b,
        purpose="授课",
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 1, 31),
    )
    secretariat = UserFactory()
    member(secretariat, Role.SECRETARIAT, world.center_a)
    centers.appoint(
        user=secretariat,
        staff=lst.staff,
        center=world.center_b,
        role="兼职培训师",
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 1, 31),
    )
    after = {r.rule.code: r.figure for r in centers.evaluate_center(world.center_b).results}
    assert after == before


def test_dates(world, alliance, login):
    lst = listing(world.center_a)
    response = post(login(world.user("center_b")), data(lst, world.center_b, ends_on="2026-08-01"))
    assert response.status_code == 400
    e = FacultyEngagement.objects.create(
        listing=lst,
        center=world.center_b,
        purpose="x",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 9, 2),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        FacultyEngagement.objects.filter(pk=e.pk).update(ends_on=date(2026, 1, 1))


def test_pages(world, alliance, login):
    lst = listing(world.center_a)
    client = login(world.user("center_b"))
    for url in (
        reverse("alliance:engagement-list"),
        reverse("alliance:engagement-add") + f"?listing={lst.pk}",
        lst.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200
    response = client.post(
        reverse("alliance:engagement-add"),
        {**data(lst, world.center_b)},
    )
    assert response.status_code == 302
    assert FacultyEngagement.objects.count() == 1


def test_lists_keep_a_constant_number_of_queries(world, alliance, login):
    lst = listing(world.center_a)
    client = login(world.user("bureau"))

    def add(n):
        for _ in range(n):
            FacultyEngagement.objects.create(
                listing=lst,
                center=world.center_b,
                purpose="x",
                starts_on=date(2026, 9, 1),
                ends_on=date(2026, 9, 2),
            )

    add(1)
    for url in (reverse("alliance:engagement-list"), reverse(LIST)):
        assert_constant_queries(client, url, add, more=2)
