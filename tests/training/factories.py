"""Factories for training records."""

import datetime
from decimal import Decimal

import factory

from centers.models import Center
from training.models import Level, Plan, Project, SubProject, SubProjectStatus


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    year = 2026
    level = Level.MUNICIPAL
    name = factory.Sequence(lambda n: f"2026年市级培训计划{n}")
    holder_kind = "bureau"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"培训项目{n}")


class SubProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubProject

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"骨干教师提升研修班{n}")
    tier = "key_teacher"
    mode = "face_to_face"
    hours = Decimal("24")
    starts_on = factory.LazyFunction(lambda: datetime.date.today())
    ends_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=5))
    capacity = 50
    center = factory.LazyFunction(lambda: Center.objects.order_by("pk").first())
    status = SubProjectStatus.DRAFT
