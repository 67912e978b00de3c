"""The studio exports: one row per record in the user's scope."""

import pytest

from studios import exporters, services
from studios.models import EvaluationKind

from .conftest import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(studios):
    record(studios.a, [studios.member_a])
    services.start_evaluation(studio=studios.a, kind=EvaluationKind.ANNUAL, year=2024)
    services.start_evaluation(studio=studios.b, kind=EvaluationKind.ANNUAL, year=2024)
    return studios


@pytest.mark.parametrize(
    "exporter,bureau_rows,center_rows",
    [
        (exporters.StudioExporter, 2, 1),
        (exporters.StudioPeopleExporter, 6, 4),
        (exporters.StudioActivityExporter, 1, 1),
        (exporters.StudioEvaluationExporter, 2, 1),
    ],
)
def test_rows_follow_the_scope(world, work, exporter, bureau_rows, center_rows):
    rows = list(exporter(world.user("bureau")).rows())
    assert len(rows) == bureau_rows
    assert all(len(r) == len(exporter(world.user("bureau")).headers()) for r in rows)
    assert len(list(exporter(world.user("center_a")).rows())) == center_rows
    assert exporter.allowed(world.user("center_a"))
    assert not exporter.allowed(world.user("school_a"))
    assert exporter(world.user("outsider")).count() == 0
