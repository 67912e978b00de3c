"""The alliance on top of the shared ``world``: six member centers (the
world's center A and B and four more), a rotation of one-year chair terms,
shared rooms, and staff accounts."""

from dataclasses import dataclass
from datetime import date

import pytest

from alliance.models import ChairTerm, CouncilMember
from centers.models import Campus, Room, RoomFunction
from core.roles import Role
from tests.factories import CenterFactory, UserFactory, member

#: The terms of the tests' rotation: A chairs the first year, B the second.
TERM_1 = (date(2025, 11, 1), date(2026, 10, 31))
TERM_2 = (date(2026, 11, 1), date(2027, 10, 31))


@dataclass
class Alliance:
    members: list
    term_1: ChairTerm
    term_2: ChairTerm
    room_a: Room
    room_b: Room
    staff_a2: object  # a second staff member of center A


@pytest.fixture
def alliance(world):
    # the demo's codes: the charter's rules name centers (e.g. who proposes, 第七条)
    for center, code in ((world.center_a, "primary-secondary"), (world.center_b, "kindergarten")):
        center.code = code
        center.save(update_fields=["code"])
    others = [
        CenterFactory(code=code, name=name)
        for code, name in (
            ("vocational", "中职学校教师发展中心"),
            ("private-schools", "民办学校教师发展中心"),
            ("research-training", "教师发展研训中心"),
            ("distance", "远程培训教师发展中心"),
        )
    ]
    centers = [world.center_a, world.center_b, *others]
    members = [
        CouncilMember.objects.create(center=c, order=i, joined_on=date(2019, 11, 1))
        for i, c in enumerate(centers, start=1)
    ]
    term_1 = ChairTerm.objects.create(
        sequence=1, center=world.center_a, starts_on=TERM_1[0], ends_on=TERM_1[1]
    )
    term_2 = ChairTerm.objects.create(
        sequence=2, center=world.center_b, starts_on=TERM_2[0], ends_on=TERM_2[1]
    )
    campus_a = Campus.objects.create(center=world.center_a, name="桂花岗校区")
    campus_b = Campus.objects.create(center=world.center_b, name="幼师校区")
    room_a = Room.objects.create(
        campus=campus_a, function=RoomFunction.LECTURE_HALL, name="报告厅", seats=200, bookable=True
    )
    room_b = Room.objects.create(
        campus=campus_b, function=RoomFunction.DORMITORY, name="学员宿舍", seats=80, bookable=True
    )
    staff_a2 = UserFactory(username="center_a2")
    member(staff_a2, Role.CENTER_STAFF, world.center_a)
    return Alliance(members, term_1, term_2, room_a, room_b, staff_a2)


@pytest.fixture
def secretariat(world, alliance):
    """A secretariat user (staff of the current chair, center B), as
    ``sync_secretariat`` makes them."""
    user = UserFactory(username="secretariat")
    member(user, Role.CENTER_STAFF, world.center_b)
    member(user, Role.SECRETARIAT, world.center_b, starts_on=TERM_2[0])
    return user
