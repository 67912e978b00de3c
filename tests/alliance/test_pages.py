"""The alliance's pages and API: the permission contracts, constant query
counts on every list, and the forms' friendly errors."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from alliance import services
from alliance.models import (
    Achievement,
    AchievementKind,
    Booking,
    DigitalResource,
    DocumentKind,
    Meeting,
    MeetingKind,
)
from tests.contracts import NOBODY_OUTSIDE, ApiContract, PageContract, assert_constant_queries

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
#: Bookings are asked for next December: a booking may not start in the past.
YEAR = date.today().year + 1


def achievement(center, year=2026, kind=AchievementKind.PAPER, count=3):
    return Achievement.objects.create(center=center, year=year, kind=kind, count=count)


def booking(alliance, center, day):
    return Booking.objects.create(
        room=alliance.room_a,
        center=center,
        starts_at=datetime(YEAR, 12, day, 9, tzinfo=TZ),
        ends_at=datetime(YEAR, 12, day, 12, tzinfo=TZ),
        purpose="培训",
    )


def resource(center, year=2024):
    return DigitalResource.objects.create(
        title=f"课程{year}", kind="course", center=center, year_added=year
    )


def meeting(alliance, kind=MeetingKind.COUNCIL):
    return Meeting.objects.create(
        kind=kind, title="理事会会议", held_on=date(2026, 12, 1), venue="x"
    )


@pytest.fixture(autouse=True)
def _handover_done_today():
    """These tests are about pages, not the handover: mark today's sync as
    done, so the real date does not make the chair's staff secretariat."""
    from django.core.cache import cache
    from django.utils import timezone

    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


# --- Permission contracts ------------------------------------------------------


class TestCouncilPage(PageContract):
    outside = NOBODY_OUTSIDE

    def url(self, world):
        return reverse("alliance:council")


class TestTermDetailPage(PageContract):
    outside = NOBODY_OUTSIDE

    @pytest.fixture(autouse=True)
    def _setup(self, alliance):
        self.alliance = alliance

    def url(self, world):
        return reverse("alliance:term-detail", args=[self.alliance.term_1.pk])


class TestAchievementDetailPage(PageContract):
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = achievement(world.center_a)

    def url(self, world):
        return reverse("alliance:achievement-detail", args=[self.obj.pk])


class TestAchievementEditPage(PageContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "bureau"  # the bureau reads results, members report them

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = achievement(world.center_a)

    def url(self, world):
        return reverse("alliance:achievement-edit", args=[self.obj.pk])


class TestBookingEditPage(PageContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = booking(alliance, world.center_a, 1)

    def url(self, world):
        return reverse("alliance:booking-edit", args=[self.obj.pk])


class TestBookingDetailPage(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "center_b"  # members see every member's bookings

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = booking(alliance, world.center_a, 1)

    def url(self, world):
        return reverse("alliance:booking-detail", args=[self.obj.pk])


class TestDocumentAddPage(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "secretariat"
    forbidden = "center_a"

    @pytest.fixture(autouse=True)
    def _setup(self, world, secretariat):
        world.actors["secretariat"] = secretariat

    def url(self, world):
        return reverse("alliance:document-add")


class TestResourceListPage(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "teacher_a"
    forbidden = "vendor"

    def url(self, world):
        return reverse("alliance:resource-list")


class TestAchievementApi(ApiContract):
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = achievement(world.center_a)

    def url(self, world):
        return reverse("api:alliance-result-detail", args=[self.obj.pk])


class TestBookingApi(ApiContract):
    outside = NOBODY_OUTSIDE
    forbidden = "teacher_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = booking(alliance, world.center_a, 1)

    def url(self, world):
        return reverse("api:alliance-booking-detail", args=[self.obj.pk])


# --- Every page renders for the roles that have it --------------------------------


LIST_PAGES = [
    "alliance:council",
    "alliance:term-list",
    "alliance:document-list",
    "alliance:meeting-list",
    "alliance:achievement-list",
    "alliance:results-rollup",
    "alliance:booking-list",
    "alliance:faculty-list",
    "alliance:resource-list",
]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_pages_render_for_bureau_secretariat_and_staff(name, world, alliance, secretariat, login):
    achievement(world.center_a)
    booking(alliance, world.center_a, 2)
    resource(world.center_a)
    for user in (world.user("bureau"), secretariat, world.user("center_a")):
        assert login(user).get(reverse(name)).status_code == 200
    assert login(world.user("outsider")).get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "alliance:member-add",
        "alliance:term-add",
        "alliance:document-add",
        "alliance:meeting-add",
        "alliance:achievement-add",
        "alliance:booking-add",
        "alliance:faculty-add",
        "alliance:resource-add",
    ],
)
def test_forms_render_for_the_secretariat(name, secretariat, login):
    assert login(secretariat).get(reverse(name)).status_code == 200


def test_empty_lists_say_so(world, alliance, login):
    response = login(world.user("bureau")).get(reverse("alliance:booking-list"))
    assert "empty-state" in response.content.decode()


# --- Constant query counts ---------------------------------------------------------


def test_lists_keep_a_constant_number_of_queries(world, alliance, secretariat, login):
    client = login(secretariat)
    days = iter(range(1, 29))

    def add_bookings(n):
        for _ in range(n):
            booking(alliance, world.center_a, next(days))

    years = iter(range(1990, 2030))

    def add_results(n):
        for _ in range(n):
            achievement(world.center_a, year=next(years))

    def add_resources(n):
        for _ in range(n):
            resource(world.center_b, year=next(years))

    def add_meetings(n):
        for _ in range(n):
            meeting(alliance)

    for url, add in [
        (reverse("alliance:booking-list"), add_bookings),
        (reverse("api:alliance-booking-list"), add_bookings),
        (reverse("alliance:achievement-list"), add_results),
        (reverse("api:alliance-result-list"), add_results),
        (reverse("alliance:resource-list"), add_resources),
        (reverse("api:alliance-resource-list"), add_resources),
        (reverse("alliance:meeting-list"), add_meetings),
        (reverse("api:alliance-meeting-list"), add_meetings),
        (reverse("alliance:council"), lambda n: None),
    ]:
        add(1)  # an empty list skips its query; start from one row
        assert_constant_queries(client, url, add)


# --- Forms and API give friendly errors --------------------------------------------


def test_booking_form_refuses_an_overlap_with_a_message(world, alliance, login):
    booking(alliance, world.center_a, 3)
    response = login(world.user("center_b")).post(
        reverse("alliance:booking-add"),
        {
            "room": alliance.room_a.pk,
            "center": world.center_b.pk,
            "starts_at": f"{YEAR}-12-03T11:00",
            "ends_at": f"{YEAR}-12-03T13:00",
            "purpose": "教研活动",
            "attendees": 30,
        },
    )
    assert response.status_code == 200
    assert "已被预约" in response.content.decode()
    assert Booking.objects.count() == 1


def test_booking_api_refuses_an_overlap_with_the_error_body(world, alliance, login):
    booking(alliance, world.center_a, 3)
    response = login(world.user("center_b")).post(
        reverse("api:alliance-booking-list"),
        {
            "room": alliance.room_a.pk,
            "center": world.center_b.pk,
            "starts_at": f"{YEAR}-12-03T11:00:00+08:00",
            "ends_at": f"{YEAR}-12-03T13:00:00+08:00",
            "purpose": "教研活动",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()["error"]["details"]


def test_booking_form_books_adjacent_time(world, alliance, login):
    booking(alliance, world.center_a, 3)
    response = login(world.user("center_b")).post(
        reverse("alliance:booking-add"),
        {
            "room": alliance.room_a.pk,
            "center": world.center_b.pk,
            "starts_at": f"{YEAR}-12-03T12:00",
            "ends_at": f"{YEAR}-12-03T14:00",
            "purpose": "教研活动",
            "attendees": 30,
        },
    )
    assert response.status_code == 302
    assert Booking.objects.filter(center=world.center_b).get().booked_by == world.user("center_b")


def test_forum_form_requires_a_common_problem(world, alliance, secretariat, login):
    data = {
        "kind": MeetingKind.FORUM,
        "title": "主题论坛",
        "theme": "AI",
        "common_problem": "共性问题",
        "problem_shared_by": [m.center_id for m in alliance.members[:3]],
        "held_on": "2026-12-10",
        "venue": "报告厅",
    }
    response = login(secretariat).post(reverse("alliance:meeting-add"), data)
    assert response.status_code == 200
    assert "尚未确认的单位" in response.content.decode()
    data["problem_shared_by"] = [m.center_id for m in alliance.members]
    response = login(secretariat).post(reverse("alliance:meeting-add"), data)
    assert response.status_code == 302


def test_document_pages_walk_the_workflow(world, secretariat, login):
    client = login(secretariat)
    response = client.post(
        reverse("alliance:document-add"),
        {"kind": DocumentKind.REPORT, "year": 2026, "title": "2026年工作报告", "body": "一"},
    )
    assert response.status_code == 302
    document = services.WorkDocument.objects.get()
    client.post(
        reverse("alliance:document-edit", args=[document.pk]),
        {"title": "2026年工作报告", "body": "一二"},
    )
    client.post(reverse("alliance:document-transition", args=[document.pk, "open_consultation"]))
    login(world.user("center_a")).post(
        reverse("alliance:document-comment", args=[document.pk]), {"body": "同意"}
    )
    response = login(world.user("bureau")).get(document.get_absolute_url())
    page = response.content.decode()
    assert "同意" in page and "v2" in page
    version = login(world.user("center_a")).get(
        reverse("alliance:version-detail", args=[document.pk, 1])
    )
    assert version.status_code == 200
    # The bureau cannot take the secretariat's step: refused with a message, nothing changes.
    login(world.user("bureau")).post(
        reverse("alliance:document-transition", args=[document.pk, "approve"])
    )
    document.refresh_from_db()
    assert document.status == "consultation"


def test_document_api_transition_errors(world, secretariat, login):
    document = services.create_document(
        user=secretariat, kind=DocumentKind.PLAN, year=2027, title="计划", body="x"
    )
    url = reverse("api:alliance-document-transition", args=[document.pk])
    response = login(secretariat).post(url, {"step": "file"}, content_type="application/json")
    assert response.status_code == 400
    response = login(world.user("bureau")).post(
        url, {"step": "open_consultation"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = login(secretariat).post(
        url, {"step": "open_consultation"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "consultation"


def test_rollup_page_and_api(world, alliance, login):
    achievement(world.center_a, count=3)
    achievement(world.center_b, count=4)
    achievement(world.center_b, kind=AchievementKind.AWARD, count=1)
    response = login(world.user("bureau")).get(reverse("alliance:results-rollup") + "?year=2026")
    assert response.context["rollup"].total == 8
    data = (
        login(world.user("bureau"))
        .get(reverse("api:alliance-results-rollup") + "?year=2026")
        .json()
    )
    assert data["total"] == 8
    # Center staff roll up only what they may see: their own center.
    data = (
        login(world.user("center_a"))
        .get(reverse("api:alliance-results-rollup") + "?year=2026")
        .json()
    )
    assert data["total"] == 3


def test_rollup_export(world, alliance):
    from openpyxl import load_workbook

    from core.exports import start_export
    from core.models import ExportJob

    achievement(world.center_a, count=3)
    job = start_export(
        user=world.user("bureau"), identifier="alliance-results-rollup", data={"year": 2026}
    )
    from core.tasks import run_export_job

    run_export_job(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    sheet = load_workbook(job.file.path)["2026"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][-1] == 3


def test_renewal_rate_on_the_catalogue(world, alliance, login):
    resource(world.center_a, year=2010)
    resource(world.center_a, year=2024)
    response = login(world.user("bureau")).get(reverse("alliance:resource-list"))
    assert 'id="renewal-rate"' in response.content.decode()
    assert response.context["renewal"].rate == pytest.approx(0.5)


def test_home_panel_shows_the_next_handover(world, alliance, secretariat, login):
    response = login(world.user("bureau")).get(reverse("home"))
    assert 'data-panel="alliance-handover"' in response.content.decode()
    response = login(world.user("teacher_a")).get(reverse("home"))
    assert 'data-panel="alliance-handover"' not in response.content.decode()


class TestMeetingDetailPage(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "district_a"
    forbidden = "teacher_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance):
        self.obj = meeting(alliance)

    def url(self, world):
        return reverse("alliance:meeting-detail", args=[self.obj.pk])


class TestMeetingEditPage(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "secretariat"
    forbidden = "center_a"

    @pytest.fixture(autouse=True)
    def _setup(self, world, alliance, secretariat):
        world.actors["secretariat"] = secretariat
        self.obj = meeting(alliance)

    def url(self, world):
        return reverse("alliance:meeting-edit", args=[self.obj.pk])


class TestDocumentDetailPage(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "center_a"
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, secretariat):
        self.obj = services.create_document(
            user=secretariat, kind=DocumentKind.PLAN, year=2027, title="计划", body="x"
        )

    def url(self, world):
        return reverse("alliance:document-detail", args=[self.obj.pk])


class TestFacultyListApi(ApiContract):
    outside = NOBODY_OUTSIDE
    permitted = "center_b"
    forbidden = "district_a"

    def url(self, world):
        return reverse("api:alliance-faculty-list")


class TestTermApi(ApiContract):
    outside = NOBODY_OUTSIDE
    permitted = "district_a"
    forbidden = "teacher_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance):
        self.obj = alliance.term_2

    def url(self, world):
        return reverse("api:alliance-term-detail", args=[self.obj.pk])


def test_more_lists_keep_a_constant_number_of_queries(world, alliance, secretariat, login):
    from alliance.models import ChairTerm, SharedFaculty
    from centers.models import StaffMember

    client = login(secretariat)
    counter = iter(range(100))

    def add_listings(n):
        for _ in range(n):
            staff = StaffMember.objects.create(center=world.center_a, name=f"师资{next(counter)}")
            SharedFaculty.objects.create(staff=staff, expertise="语文")

    def add_documents(n):
        for _ in range(n):
            services.create_document(
                user=secretariat,
                kind=DocumentKind.REPORT,
                year=1990 + next(counter),
                title="报告",
                body="x",
            )

    starts = iter(range(2030, 2100, 1))

    def add_terms(n):
        for _ in range(n):
            year = next(starts)
            ChairTerm.objects.create(
                sequence=year,
                center=world.center_a,
                starts_on=date(year, 11, 1),
                ends_on=date(year + 1, 10, 31),
            )

    for url, add in [
        (reverse("alliance:faculty-list"), add_listings),
        (reverse("api:alliance-faculty-list"), add_listings),
        (reverse("alliance:document-list"), add_documents),
        (reverse("api:alliance-document-list"), add_documents),
        (reverse("alliance:term-list"), add_terms),
        (reverse("api:alliance-term-list"), add_terms),
    ]:
        add(1)
        assert_constant_queries(client, url, add)


def test_meeting_lists_are_audited(world, alliance, secretariat, login):
    from core.models import AuditEntry

    m = meeting(alliance)
    m.participant_centers.set([world.center_a, world.center_b])
    entry = AuditEntry.objects.filter(object_type="alliance.meeting", object_id=str(m.pk)).first()
    assert entry.changes["participant_centers"]["added"] == sorted(
        [world.center_a.pk, world.center_b.pk]
    )


def test_a_booking_cannot_start_in_the_past(world, alliance, login):
    response = login(world.user("center_b")).post(
        reverse("alliance:booking-add"),
        {
            "room": alliance.room_a.pk,
            "center": world.center_b.pk,
            "starts_at": "2020-01-03T12:00",
            "ends_at": "2020-01-03T14:00",
            "purpose": "教研活动",
        },
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()


def test_cancel_frees_the_time(world, alliance, login):
    first = booking(alliance, world.center_a, 5)
    client = login(world.user("center_a"))
    assert client.post(reverse("alliance:booking-cancel", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    assert first.is_cancelled
    # Another center cannot cancel it: outside their change scope.
    other = booking(alliance, world.center_a, 6)
    response = login(world.user("center_b")).post(
        reverse("alliance:booking-cancel", args=[other.pk])
    )
    assert response.status_code == 404


def test_duplicate_result_gets_a_clear_message(world, alliance, login):
    achievement(world.center_a, kind=AchievementKind.PAPER)
    response = login(world.user("center_a")).post(
        reverse("alliance:achievement-add"),
        {"center": world.center_a.pk, "year": 2026, "kind": AchievementKind.PAPER, "count": 5},
    )
    assert response.status_code == 200
    assert Achievement.objects.count() == 1
    assert "form" in response.context and response.context["form"].errors


def test_center_staff_cannot_report_for_another_center(world, alliance, login):
    response = login(world.user("center_a")).post(
        reverse("alliance:achievement-add"),
        {"center": world.center_b.pk, "year": 2026, "kind": AchievementKind.PAPER, "count": 5},
    )
    assert response.status_code == 200
    assert not Achievement.objects.exists()
    response = login(world.user("center_a")).post(
        reverse("api:alliance-result-list"),
        {"center": world.center_b.pk, "year": 2026, "kind": AchievementKind.PAPER, "count": 5},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Achievement.objects.exists()


def test_renewal_rate_api(world, alliance, login):
    resource(world.center_a, year=2010)
    resource(world.center_a, year=2024)
    data = (
        login(world.user("bureau"))
        .get(reverse("api:alliance-resource-renewal-rate") + "?year=2026")
        .json()
    )
    assert data["rate"] == pytest.approx(0.5) and data["meets_target"] is True
    assert data["target"] == pytest.approx(0.2)


def test_faculty_form_refuses_staff_below_the_standard(world, alliance, login):
    from alliance.models import SharedFaculty
    from centers.models import StaffMember, Title

    staff = StaffMember.objects.create(center=world.center_a, name="吴老师", title=Title.SECOND)
    response = login(world.user("center_a")).post(
        reverse("alliance:faculty-add"), {"staff": staff.pk, "expertise": "数学"}
    )
    assert response.status_code == 200
    assert "吴老师" in str(response.context["form"].errors["staff"])
    assert not SharedFaculty.objects.exists()


def test_term_form_requires_one_year(world, alliance, secretariat, login):
    response = login(secretariat).post(
        reverse("alliance:term-add"),
        {
            "sequence": 3,
            "center": alliance.members[2].center_id,
            "starts_on": "2027-11-01",
            "ends_on": "2028-03-31",
        },
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    response = login(secretariat).post(
        reverse("alliance:term-add"),
        {
            "sequence": 3,
            "center": alliance.members[2].center_id,
            "starts_on": "2027-11-01",
            "ends_on": "2028-10-31",
        },
    )
    assert response.status_code == 302
