"""The alliance's business rules: bookings (the database refuses overlaps),
the plan/report workflow, common forum themes, the faculty register and the
digital-resource renewal rate."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from alliance import services
from alliance.models import (
    Booking,
    DigitalResource,
    DocumentKind,
    DocumentStatus,
    Meeting,
    MeetingKind,
    SharedFaculty,
)
from centers.models import Degree, Honour, StaffMember, StaffYearRecord, Title

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(hour, day=24):
    return datetime(2026, 12, day, hour, 0, tzinfo=TZ)


def book(room, center, start, end, **kwargs):
    return Booking.objects.create(
        room=room, center=center, starts_at=start, ends_at=end, purpose="培训", **kwargs
    )


# --- Bookings ----------------------------------------------------------------


class BookingConstraint:
    def test_overlap_refused_by_the_database(self, alliance, world):
        book(alliance.room_a, world.center_a, at(9), at(12))
        with pytest.raises(IntegrityError), transaction.atomic():
            book(alliance.room_a, world.center_b, at(11), at(14))
        with pytest.raises(IntegrityError), transaction.atomic():
            book(alliance.room_a, world.center_b, at(8), at(13))  # contains it
        assert Booking.objects.count() == 1

    def test_moving_a_booking_onto_another_refused(self, alliance, world):
        book(alliance.room_a, world.center_a, at(9), at(12))
        other = book(alliance.room_a, world.center_b, at(13), at(15))
        other.starts_at = at(10)
        with pytest.raises(IntegrityError), transaction.atomic():
            other.save()

    def test_adjacent_bookings_allowed(self, alliance, world):
        book(alliance.room_a, world.center_a, at(9), at(12))
        book(alliance.room_a, world.center_b, at(12), at(14))
        book(alliance.room_a, world.center_b, at(7), at(9))
        assert Booking.objects.count() == 3

    def test_other_rooms_and_cancelled_bookings_do_not_block(self, alliance, world):
        first = book(alliance.room_a, world.center_a, at(9), at(12))
        book(alliance.room_b, world.center_a, at(9), at(12))
        first.cancelled_at = at(8)
        first.save()
        book(alliance.room_a, world.center_b, at(10), at(11))
        assert Booking.objects.filter(room=alliance.room_a).count() == 2

    def test_end_before_start_refused_by_the_database(self, alliance, world):
        with pytest.raises(IntegrityError), transaction.atomic():
            book(alliance.room_a, world.center_a, at(12), at(9))


class TestBookingConstraintSQLite(BookingConstraint):
    @pytest.fixture(autouse=True)
    def _vendor(self, db):
        from django.db import connection

        if connection.vendor != "sqlite":
            pytest.skip("SQLite run")


class TestBookingConstraintPostgres(BookingConstraint):
    @pytest.fixture(autouse=True)
    def _vendor(self, postgres):
        pass


def test_save_booking_gives_a_friendly_message(alliance, world):
    book(alliance.room_a, world.center_a, at(9), at(12))
    booking = Booking(
        room=alliance.room_a, center=world.center_b, starts_at=at(11), ends_at=at(13), purpose="x"
    )
    with pytest.raises(ValidationError) as err:
        services.save_booking(booking, user=world.user("center_b"))
    assert "already booked" in str(err.value.message_dict["starts_at"])


def test_booking_checks(alliance, world):
    user = world.user("center_b")
    booking = Booking(
        room=alliance.room_b,
        center=world.center_a,
        starts_at=at(9),
        ends_at=at(12),
        purpose="x",
        attendees=500,
    )
    with pytest.raises(ValidationError) as err:
        services.save_booking(booking, user=user)
    assert {"attendees", "center"} <= set(err.value.message_dict)
    booking.center, booking.attendees = world.center_b, 20
    services.save_booking(booking, user=user)
    assert booking.booked_by == user


def test_a_room_not_shared_cannot_be_booked(alliance, world):
    alliance.room_a.bookable = False
    alliance.room_a.save()
    booking = Booking(
        room=alliance.room_a, center=world.center_a, starts_at=at(9), ends_at=at(12), purpose="x"
    )
    with pytest.raises(ValidationError) as err:
        services.save_booking(booking, user=world.user("center_a"))
    assert "room" in err.value.message_dict


# --- Plan and report workflow --------------------------------------------------


def council_meeting():
    return Meeting.objects.create(
        kind=MeetingKind.COUNCIL, title="理事会会议", held_on=date(2026, 12, 10), venue="x"
    )


@pytest.fixture
def plan(secretariat):
    return services.create_document(
        user=secretariat, kind=DocumentKind.PLAN, year=2027, title="2027年工作计划", body="一、"
    )


def test_full_workflow_records_each_step(plan, secretariat, world):
    bureau = world.user("bureau")
    services.transition(plan, "open_consultation", user=secretariat)
    services.add_comment(plan, user=world.user("center_a"), body="建议增加论坛")
    council = Meeting.objects.create(
        kind=MeetingKind.COUNCIL, title="理事会会议", held_on=date(2026, 12, 10), venue="x"
    )
    services.transition(
        plan, "approve", user=secretariat, note="理事会2026-12-10审定", meeting=council
    )
    services.transition(plan, "file", user=secretariat)
    plan = services.transition(plan, "receive", user=bureau)
    assert plan.status == DocumentStatus.RECEIVED
    assert [s.action for s in plan.steps.all()] == [
        "create",
        "open_consultation",
        "approve",
        "file",
        "receive",
    ]
    assert plan.steps.get(action="receive").actor == bureau
    assert plan.comments.get().center == world.center_a


def test_wrong_transitions_are_refused_clearly(plan, secretariat, world):
    with pytest.raises(ValidationError, match="not possible"):
        services.transition(plan, "file", user=secretariat)
    with pytest.raises(PermissionDenied):
        services.transition(plan, "open_consultation", user=world.user("center_a"))
    with pytest.raises(ValidationError, match="Unknown step"):
        services.transition(plan, "publish", user=secretariat)
    services.transition(plan, "open_consultation", user=secretariat)
    services.transition(plan, "approve", user=secretariat, meeting=council_meeting())
    services.transition(plan, "file", user=secretariat)
    with pytest.raises(PermissionDenied):
        services.transition(plan, "receive", user=secretariat)
    with pytest.raises(ValidationError) as err:
        services.transition(plan, "return", user=world.user("bureau"))
    assert "note" in err.value.message_dict
    plan = services.transition(plan, "return", user=world.user("bureau"), note="补充经费情况")
    assert plan.status == DocumentStatus.DRAFT


def test_edits_keep_earlier_versions(plan, secretariat):
    services.edit_document(plan, user=secretariat, title=plan.title, body="一、二、")
    plan = services.edit_document(
        plan, user=secretariat, title="2027年工作计划（修订）", body="一、二、三、"
    )
    assert plan.version == 3
    assert [v.body for v in plan.versions.order_by("number")] == [
        "一、",
        "一、二、",
        "一、二、三、",
    ]
    # A resent form with no change adds no version.
    services.edit_document(plan, user=secretariat, title=plan.title, body=plan.body)
    assert plan.versions.count() == 3


def test_no_edits_after_approval(plan, secretariat):
    services.transition(plan, "open_consultation", user=secretariat)
    services.transition(plan, "approve", user=secretariat, meeting=council_meeting())
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.edit_document(plan, user=secretariat, title="x", body="y")


def test_only_the_secretariat_drafts(world, alliance):
    with pytest.raises(PermissionDenied):
        services.create_document(
            user=world.user("center_a"), kind=DocumentKind.PLAN, year=2027, title="x", body="y"
        )


def test_one_document_per_kind_and_year(plan, secretariat):
    with pytest.raises(ValidationError):
        services.create_document(
            user=secretariat, kind=DocumentKind.PLAN, year=2027, title="x", body="y"
        )


def test_comments_only_during_consultation_and_by_members(plan, secretariat, world):
    with pytest.raises(ValidationError, match="only while"):
        services.add_comment(plan, user=world.user("center_a"), body="x")
    services.transition(plan, "open_consultation", user=secretariat)
    with pytest.raises(PermissionDenied):
        services.add_comment(plan, user=world.user("district_a"), body="x")
    with pytest.raises(PermissionDenied):
        services.add_comment(plan, user=world.user("center_a"), body="x", center=world.center_b)


# --- Forum themes --------------------------------------------------------------


def test_forum_theme_must_be_common_to_all_members(alliance, world):
    members = [m.center for m in alliance.members]
    with pytest.raises(ValidationError) as err:
        services.check_common_theme(
            kind=MeetingKind.FORUM,
            theme="人工智能助推教师发展",
            common_problem="各中心都缺少AI培训课程",
            shared_by=members[:5],
        )
    assert members[5].name in str(err.value.message_dict["problem_shared_by"])
    with pytest.raises(ValidationError) as err:
        services.check_common_theme(
            kind=MeetingKind.ANNUAL, theme="", common_problem="", shared_by=members
        )
    assert {"theme", "common_problem"} <= set(err.value.message_dict)
    services.check_common_theme(
        kind=MeetingKind.FORUM, theme="AI", common_problem="共性问题", shared_by=members
    )
    # A council meeting has no such rule.
    services.check_common_theme(kind=MeetingKind.COUNCIL, theme="", common_problem="", shared_by=[])


# --- Faculty register ----------------------------------------------------------


def qualified_staff(center, **overrides):
    fields = {
        "center": center,
        "name": "周老师",
        "title": Title.SENIOR,
        "honour": Honour.MUNICIPAL_LEADER,
        "degree": Degree.MASTER,
        "years_teaching": 15,
        "date_of_birth": date(1980, 1, 1),
        "hired_on": date(2024, 9, 1),
        "is_research_staff": True,
    }
    fields.update(overrides)
    staff = StaffMember.objects.create(**fields)
    StaffYearRecord.objects.create(staff=staff, year=2025, took_part=True)
    return staff


def test_faculty_register_lists_qualified_staff(alliance, world):
    staff = qualified_staff(world.center_a)
    listing = services.list_faculty(user=world.user("center_a"), staff=staff, expertise="语文教研")
    assert listing.listed_by == world.user("center_a")
    with pytest.raises(ValidationError, match="already listed"):
        services.list_faculty(user=world.user("center_a"), staff=staff, expertise="x")


def test_faculty_register_refuses_staff_not_meeting_the_standard(alliance, world):
    staff = qualified_staff(
        world.center_a, name="吴老师", title=Title.SECOND, degree=Degree.JUNIOR_COLLEGE
    )
    with pytest.raises(ValidationError) as err:
        services.list_faculty(user=world.user("center_a"), staff=staff, expertise="数学")
    message = str(err.value.message_dict["staff"])
    assert "吴老师" in message and "cannot be listed" in message
    assert not SharedFaculty.objects.exists()


def test_faculty_register_only_own_center(alliance, world):
    staff = qualified_staff(world.center_a)
    with pytest.raises(PermissionDenied):
        services.list_faculty(user=world.user("center_b"), staff=staff, expertise="x")


# --- Digital resources ---------------------------------------------------------


def test_renewal_rate_over_five_years(alliance, world):
    def res(added, renewed=None, retired=None):
        DigitalResource.objects.create(
            title=f"资源{added}{renewed}{retired}",
            kind="course",
            center=world.center_a,
            year_added=added,
            year_renewed=renewed,
            year_retired=retired,
        )

    for _ in range(6):
        res(2015)  # old, never renewed
    res(2015, renewed=2023)  # renewed within 2022–2026
    res(2016, renewed=2020)  # renewed, but before the window
    res(2024)  # added within the window
    res(2014, retired=2020)  # retired: not in service
    res(2027)  # not yet added
    rate = services.renewal_rate(2026)
    assert (rate.first_year, rate.total, rate.added, rate.renewed) == (2022, 9, 1, 1)
    assert rate.rate == pytest.approx(2 / 9)
    assert rate.meets_target
    assert (2023, 0, 1) in rate.per_year and (2024, 1, 0) in rate.per_year
    res(2010)
    assert services.renewal_rate(2026).meets_target  # 2 / 10: exactly the 20 % target
    res(2011)
    assert not services.renewal_rate(2026).meets_target  # 2 / 11


def test_renewal_rate_with_nothing():
    rate = services.renewal_rate(2026)
    assert rate.rate is None and not rate.meets_target


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted on their English source; the UI shows them
    in Chinese (see test_messages_are_translated)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_messages_are_translated(alliance, world):
    from django.utils import translation

    book(alliance.room_a, world.center_a, at(9), at(12))
    booking = Booking(
        room=alliance.room_a, center=world.center_b, starts_at=at(11), ends_at=at(13), purpose="x"
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        services.save_booking(booking, user=world.user("center_b"))
    assert "已被预约" in str(err.value.message_dict["starts_at"])
