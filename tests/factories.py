"""Factories for the federation's records (factory_boy)."""

import itertools
from datetime import date

import factory
from django.contrib.auth import get_user_model

from centers.models import Center, CenterKind, District, School, SchoolStage, Teacher, Vendor
from centers.validators import id_check_digit
from core.models import Membership

PASSWORD = "Test-Passw0rd-gz"
_id_seq = itertools.count(1)


def make_id_number(region="440106", birth=date(1985, 6, 15)):
    seq = next(_id_seq)
    # Vary the birth day too so more than 1,000 numbers stay unique.
    day = 1 + (seq // 1000) % 28
    first17 = f"{region}{birth:%Y%m}{day:02d}{seq % 1000:03d}"
    return first17 + id_check_digit(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"d{n}")
    name = factory.Sequence(lambda n: f"测试{n}区")


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center

    code = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"测试教师发展中心{n}")
    kind = CenterKind.MUNICIPAL


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试学校{n}")
    stage = SchoolStage.PRIMARY


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教师{n}")
    id_number = factory.LazyFunction(make_id_number)
    stage = SchoolStage.PRIMARY
    subject = "语文"


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"承办机构{n}")


def member(user, role, organisation=None, **kwargs):
    return Membership.objects.create(
        user=user,
        role=role,
        organisation_id=getattr(organisation, "pk", organisation),
        starts_on=kwargs.pop("starts_on", date(2020, 1, 1)),
        **kwargs,
    )
