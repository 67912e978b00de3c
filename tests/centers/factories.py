"""Factories for the centers app's own records (tests/centers only)."""

from datetime import date

import factory

from centers.models import (
    Campus,
    Employment,
    Room,
    RoomFunction,
    StaffMember,
    StaffYearRecord,
    Title,
)
from tests.factories import CenterFactory


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campus

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"校区{n}")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    campus = factory.SubFactory(CampusFactory)
    name = factory.Sequence(lambda n: f"教室{n}")
    function = RoomFunction.MULTIMEDIA
    seats = 50


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"研训员{n}")
    external_id = factory.Sequence(lambda n: f"S{n:04d}")
    employment = Employment.FULL_TIME
    title = Title.SENIOR
    years_teaching = 10
    date_of_birth = date(1985, 1, 1)
    hired_on = date(2015, 9, 1)


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffYearRecord

    staff = factory.SubFactory(StaffFactory)
    year = 2025
    school_days_autumn = 20
    school_days_spring = 20
    lessons_observed = 120
