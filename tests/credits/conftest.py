"""Credit fixtures: the city policy of the 2022–2026 cycle (360 hours, at
least 36 of ethics) and a helper that awards hours."""

from datetime import date
from decimal import Decimal

import pytest

from credits import services
from credits.models import CategoryMinimum, CreditPolicy, Source


@pytest.fixture
def policy(db):
    policy = CreditPolicy.objects.create(
        name="广州市 2022—2026",
        cycle_start=date(2022, 1, 1),
        cycle_end=date(2026, 12, 31),
        total_hours=Decimal("360"),
    )
    CategoryMinimum.objects.create(policy=policy, category="ethics", hours=Decimal("36"))
    return policy


@pytest.fixture
def award(policy):
    """``award(teacher, hours, **kwargs)`` → the Award of ``award_hours``."""

    def _award(teacher, hours, **kwargs):
        kwargs.setdefault("category", "subject")
        kwargs.setdefault("source", Source.TRAINING)
        kwargs.setdefault("earned_on", date(2024, 5, 1))
        return services.award_hours(teacher=teacher, hours=hours, **kwargs)

    return _award


def pdf_upload(name="certificate.pdf", size=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"%PDF-1.4\n" + (b"0" * (size - 9) if size else b"certificate\n")
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def district_policy(district, total_hours="300", *, name="海珠区 2022—2026", **minimums):
    """A district's own policy of the 2022–2026 cycle (its balances built from
    the ledger on creation), with ``category=hours`` minimums."""
    policy = CreditPolicy.objects.create(
        name=name,
        district=district,
        cycle_start=date(2022, 1, 1),
        cycle_end=date(2026, 12, 31),
        total_hours=Decimal(total_hours),
    )
    for category, hours in minimums.items():
        CategoryMinimum.objects.create(policy=policy, category=category, hours=Decimal(hours))
    return policy
