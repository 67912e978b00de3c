"""Excel exports of the council's records: resolutions' follow-up, joint
projects, paired assistance, proposals, guidance visits and center plans.
Each goes through ``restrict`` (a center's draft stays out of another's
file) and makes a fixed number of queries whatever its size."""

import itertools
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from alliance import exporters
from alliance.models import (
    AssistanceActivity,
    AssistancePair,
    CenterPlan,
    FollowUp,
    GuidanceVisit,
    JointProject,
    Meeting,
    Proposal,
    Resolution,
)
from core.exports import start_export
from core.models import ExportJob

pytestmark = pytest.mark.django_db

_years = itertools.count(2000)


def records(world, n=1):
    meeting = Meeting.objects.create(
        kind="council", title="理事会", held_on=date(2026, 3, 1), venue="x"
    )
    for i in range(n):
        res = Resolution.objects.create(meeting=meeting, number=f"2026-{i}", title="决议", text="x")
        FollowUp.objects.create(
            resolution=res, center=world.center_a, action="落实", due_on=date(2026, 6, 1)
        )
        project = JointProject.objects.create(
            title=f"项目{i}", lead_center=world.center_a, starts_on=date(2026, 1, 1)
        )
        project.partner_centers.add(world.center_b)
        Proposal.objects.create(
            origin="center", center=world.center_a, title=f"建议{i}", body="x", status="submitted"
        )
        Proposal.objects.create(origin="center", center=world.center_b, title=f"草稿{i}", body="x")
        visit = GuidanceVisit.objects.create(
            center=world.center_a,
            district_center=world.district_center_a,
            visited_on=date(2026, 5, 1),
            topic=f"指导{i}",
        )
        visit.partner_centers.add(world.center_b)
        CenterPlan.objects.create(
            center=world.center_a,
            kind="annual",
            starts_year=next(_years),
            title="计划",
            body="x",
            status="filed",
        )
    pair, _ = AssistancePair.objects.get_or_create(
        helper_center=world.center_a,
        assisted_center=world.district_center_a,
        defaults={"focus": "x", "starts_on": date(2025, 1, 1)},
    )
    for _ in range(n):
        AssistanceActivity.objects.create(
            pair=pair, held_on=date(2026, 5, 1), kind="training", title="t"
        )


EXPORTERS = [
    exporters.FollowUpExporter,
    exporters.JointProjectExporter,
    exporters.AssistanceExporter,
    exporters.ProposalExporter,
    exporters.GuidanceExporter,
    exporters.CenterPlanExporter,
]


def _rows(exporter, user):
    return [list(sheet.rows) for sheet in exporter(user).sheets()]


@pytest.mark.parametrize("exporter", EXPORTERS, ids=lambda e: e.identifier)
def test_rows_follow_the_scope_in_constant_queries(world, alliance, exporter):
    records(world)
    bureau = world.user("bureau")
    _rows(exporter, bureau)  # warm the scope's cache
    with CaptureQueriesContext(connection) as one:
        first = _rows(exporter, bureau)
    records(world, 3)
    with CaptureQueriesContext(connection) as four:
        more = _rows(exporter, bureau)
    assert len(four) == len(one), exporter.identifier
    assert sum(map(len, more)) > sum(map(len, first)) > 0


def test_a_centers_draft_is_not_in_another_centers_file(world, alliance):
    records(world)
    titles = [r[0] for r in _rows(exporters.ProposalExporter, world.user("center_a"))[0]]
    assert titles == ["建议0"]  # center B's draft is not center A's to read
    titles = [r[0] for r in _rows(exporters.ProposalExporter, world.user("center_b"))[0]]
    assert sorted(titles) == ["建议0", "草稿0"]
    assert not exporters.ProposalExporter.allowed(world.user("district_a"))
    assert exporters.GuidanceExporter.allowed(world.user("district_a"))
    rows = _rows(exporters.GuidanceExporter, world.user("district_b"))[0]
    assert rows == []  # another district's visits stay out


def test_the_worker_writes_the_file(world, alliance):
    from core.tasks import run_export_job

    records(world)
    job = start_export(user=world.user("bureau"), identifier="alliance-pairs", data={})
    run_export_job(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    book = load_workbook(job.file.path)
    assert len(book.sheetnames) == 2
    assert list(book.worksheets[1].iter_rows(values_only=True))[1][2] == 2026
