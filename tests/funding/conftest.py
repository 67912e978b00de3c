"""Funding fixtures: a contract of center A with two due payment steps, and
lines of the bureau, a district and a school."""

import datetime
from decimal import Decimal

import pytest

from funding import services
from funding.models import FundingSource, HolderKind
from tests.training.factories import SubProjectFactory
from training.models import Contract, PaymentStep

D = Decimal


@pytest.fixture
def sub(world):
    return SubProjectFactory(center=world.center_a, vendor=world.vendor)


@pytest.fixture
def contract(world, sub):
    contract = Contract.objects.create(
        number="GZ-2026-001",
        center=world.center_a,
        vendor=world.vendor,
        amount=D("100000.00"),
        signed_on=datetime.date(2026, 3, 1),
    )
    contract.subprojects.add(sub)
    PaymentStep.objects.create(
        contract=contract,
        position=1,
        kind="prepayment",
        amount=D("30000.00"),
        due_condition="on_signing",
        status="due",
    )
    PaymentStep.objects.create(
        contract=contract,
        position=2,
        kind="final",
        amount=D("70000.00"),
        due_condition="after_acceptance",
        status="pending",
    )
    return contract


@pytest.fixture
def line(world):
    return services.create_line(
        year=2026,
        holder_kind=HolderKind.BUREAU,
        source=FundingSource.MUNICIPAL,
        name="2026年市级教师培训专项",
        amount="100000.00",
    )


@pytest.fixture
def district_line(world):
    return services.create_line(
        year=2026,
        holder_kind=HolderKind.DISTRICT,
        district=world.district_a,
        source=FundingSource.DISTRICT,
        name="2026年天河区教师培训经费",
        amount="1000000.00",
    )


@pytest.fixture(autouse=True)
def _default_rules(db):
    """The three rules the data migration loads (idempotent): a test that
    flushed the tables before this module ran took them away."""
    from importlib import import_module

    from django.apps import apps

    import_module("funding.migrations.0002_default_rules").load(apps, None)
