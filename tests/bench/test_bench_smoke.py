"""The benchmark's generator and measuring functions run on a tiny federation
(1 district, 20 teachers, 500 entries) in the test database, SQLite or
PostgreSQL. No timing is asserted: only that they run and keep the ledger's
invariants. The COPY comparison runs on PostgreSQL only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum

from bench import generate, run
from centers.models import District, Teacher
from credits import services
from credits.models import CreditActivity, CreditBalance, CreditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(settings):
    stats = generate.generate(generate.TINY, log=lambda *_: None)
    settings.DEBUG = False
    return stats


def test_generator_builds_a_consistent_ledger(tiny):
    assert Teacher.objects.filter(external_id__startswith="BT").count() == 20
    assert CreditEntry.objects.count() == 500 == tiny["entries"]
    assert generate.already_generated(generate.TINY)
    # Every reversal negates the entry it reverses; awards are positive.
    for reversal in CreditEntry.objects.filter(reverses__isnull=False).select_related("reverses"):
        assert reversal.hours == -reversal.reverses.hours
    assert not CreditEntry.objects.filter(reverses__isnull=True, hours__lte=0).exists()
    # An activity counts once per teacher, and its CreditActivity row points at it.
    keyed = CreditEntry.objects.exclude(activity_key="").filter(reverses__isnull=True)
    assert not keyed.values("teacher", "activity_key").annotate(n=Count("id")).filter(n__gt=1)
    assert CreditActivity.objects.count() == keyed.count()
    # The summary agrees with the sum of the teacher's entries in the cycle.
    teacher = Teacher.objects.filter(user__isnull=False).first()
    summary = services.teacher_summary(teacher)
    in_cycle = CreditEntry.objects.filter(teacher=teacher).in_cycle(summary.policy)
    assert summary.total == in_cycle.aggregate(s=Sum("hours"))["s"].quantize(Decimal("0.1"))
    assert sum(tiny["teachers_by_progress"].values()) == 20
    assert_balances_match_ledger()


def assert_balances_match_ledger():
    """The derived per-teacher balances equal the ledger's sums."""
    policy = services.policy_for(None)
    ledger = dict(
        CreditEntry.objects.in_cycle(policy)
        .values_list("teacher")
        .annotate(s=Sum("hours"))
        .values_list("teacher", "s")
    )
    balances = dict(CreditBalance.objects.filter(policy=policy).values_list("teacher_id", "hours"))
    assert balances == ledger and ledger
    # ... and so do the category balances the minimums read.
    by_category = {
        (t, c): h
        for t, c, h in CreditEntry.objects.in_cycle(policy)
        .order_by()
        .values_list("teacher", "category")
        .annotate(s=Sum("hours"))
        .values_list("teacher", "category", "s")
    }
    kept = {
        (b.teacher_id, c): h
        for b in CreditBalance.objects.filter(policy=policy)
        for c, h in b.category_hours().items()
        if h
    }
    assert kept == by_category


def test_measuring_functions_run(tiny):
    actors = run.bench_actors()
    assert len(actors["teachers"]) == 5

    page = run.measure_page(
        actors["teachers"], "/credits/", warmup=1, orm_floor=run.teacher_page_floor
    )
    assert page["samples"] == 5 and page["queries_min"] > 0
    # The floors run in the same call: the page's own SQL replayed, its figures by the ORM.
    assert page["sql_floor"]["samples"] == 5 and page["orm_floor"]["samples"] == 5
    assert page["ratio_sql"] > 0 and page["ratio_orm"] > 0
    completion = run.measure_page(
        actors["districts"],
        "/credits/completion/",
        orm_floor=run.completion_floor,
        balance_floor=run.completion_balance_floor,
    )
    assert completion["samples"] == 1 and completion["orm_floor"]["samples"] == 1
    assert completion["balance_floor"]["samples"] == 1 and completion["ratio_balance"] > 0
    # The hand-written floor computes the very figures of the one definition.
    for by, ids in (
        ("district", None),
        ("school", list(District.objects.values_list("pk", flat=True))),
    ):
        rows = services.completion(by=by, district_ids=ids)
        assert rows and any(r.complete for r in rows) and any(r.at_risk for r in rows)
        sql, params = run.completion_sql(by=by, district_ids=ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            bare = {k: (n, done, risky, services.as_hours(h)) for k, n, done, risky, h in cursor}
        assert bare == {r.key: (r.teachers, r.complete, r.at_risk, r.hours) for r in rows}
        # The standings the dashboards read hold the very same figures.
        services.refresh_standings()
        kept = services.standing_completion(by=by, district_ids=ids)
        assert {r.key: (r.teachers, r.complete, r.at_risk, r.hours) for r in kept} == bare
    refresh = run.measure_standings_refresh(rounds=1)
    assert refresh["city"]["samples"] == 1 and refresh["ratio_floor"] > 0
    run.measure_page([actors["bureau"]], "/credits/completion/", orm_floor=run.completion_floor)

    districts = list(District.objects.filter(pk__in=actors["systems"]))
    batches = run.build_batches(districts, batches=2, size=10, tag="smoke")
    before = CreditEntry.objects.count()
    api = run.measure_api_sync(batches, run.issue_tokens(actors["systems"]))
    assert api["rows"] == 20 and CreditEntry.objects.count() == before + 20
    assert run.remove_sync_rows("smoke") == 20
    service = run.measure_service_sync(batches, actors["systems"])
    assert service["rows"] == 20
    assert run.remove_sync_rows("smoke") == 20
    copied = run.measure_copy(run.copy_rows(batches))
    plain = run.measure_plain_copy(run.copy_rows(batches), batch=8)
    if connection.vendor == "postgresql":
        assert copied["rows"] == 20
        assert run.remove_sync_rows("smoke") == 20
        assert plain["rows"] == 20  # into its own table, dropped after
    else:
        assert copied is None and plain is None
    assert CreditEntry.objects.count() == before
    assert_balances_match_ledger()

    export = run.measure_export(actors["bureau"])
    assert export["rows"] == 3 + 20  # the schools' sheet and the teachers' sheet
    floor = run.measure_writer_floor(actors["bureau"])
    assert floor["rows"] == export["rows"]  # the bare writer writes the same rows
    export["writer_floor"], export["ratio_writer"] = floor, 1.0

    dashboards = run.measure_dashboards(actors, rounds=1, warmup=1)
    bureau, district = dashboards["bureau_dashboard"], dashboards["district_dashboard"]
    assert bureau["samples"] == 5 and bureau["queries_min"] == bureau["queries_max"] > 0
    assert district["samples"] == len(actors["districts"][: run.DASHBOARD_DISTRICTS])
    assert district["sql_floor"]["samples"] == district["samples"] and district["ratio_sql"] > 0
    annual = dashboards["annual_report"]
    assert annual["rows"] == annual["writer_floor"]["rows"] > 0  # the same rows, both ways

    table = run.verdicts(
        {
            "teacher_page": page,
            "bureau_completion": completion,
            "api_sync": api,
            "export": export,
            **dashboards,
        }
    )
    assert {row[0] for row in table} >= {
        "Teacher page /credits/, median",
        "Bureau dashboard /dashboards/bureau/, median",
        "District dashboard /dashboards/district/, median",
        f"Annual statistics workbook {annual['year']} (worker)",
    }


def test_training_measure_counts_once_posts_once_and_leaves_nothing(tiny):
    from bench.training import measure_training
    from training.models import SubProject

    before = (SubProject.objects.count(), CreditEntry.objects.count())
    figures = measure_training(checkins=5, trainees=10)
    assert figures["checkin_counted"] == 5  # the retry of each counted nothing
    assert figures["posted"] == 10 and figures["reposted"] == 0
    assert figures["checkin_ratio"] > 0 and figures["post_ratio"] > 0
    # Measured inside one transaction rolled back: the bench city is as it was.
    assert (SubProject.objects.count(), CreditEntry.objects.count()) == before
    assert {r[0] for r in run.verdicts({"training": figures})} >= {
        "Check-in (500 trainees, one session), median"
    }


def test_evaluation_measure_scores_a_campaign_and_leaves_nothing(settings):
    """A tiny city campaign (12 principals × 24 raters × 25 items): the task
    scores every principal, again the same, beside the SQL aggregation; the
    profile page keeps its query count; all rolled back."""
    from bench.evaluation import measure_evaluation
    from centers.models import District
    from evaluation.models import Campaign, RatingAnswer

    settings.DEBUG = False
    before = (District.objects.count(), Campaign.objects.count(), RatingAnswer.objects.count())
    figures = measure_evaluation(principals=12, raters=24, rounds=1)
    assert figures["ratings"] == 288 and figures["answers"] == 7200
    assert figures["same_scores"] and figures["progress"] == 100
    # Every principal scored; every tenth (the first here, and the 11th) has
    # 4 parents, under the minimum: their parents' score is hidden.
    assert figures["scored"] == 12 and figures["parents_hidden"] == 2
    assert figures["floor_rows"] == 12 * 4 * 5  # principal × group × dimension
    page = figures["profile_page"]
    assert page["samples"] == 5 and page["queries_min"] == page["queries_max"] > 0
    assert (District.objects.count(), Campaign.objects.count(), RatingAnswer.objects.count()) == (
        before
    )
    assert {r[0] for r in run.verdicts({"evaluation": figures})} >= {
        "District profile page (campaign), median"
    }


def test_partition_copies_measure_and_go(tiny):
    """bench/partition.py builds the plain and partitioned copies of the
    ledger from its rows, measures them and drops them (PostgreSQL only)."""
    from bench import partition

    if connection.vendor != "postgresql":
        assert partition.measure_partition(teachers=5, rounds=1) == {}
        return
    before = CreditEntry.objects.count()
    result = partition.measure_partition(
        teachers=5, rounds=1, batches=2, batch_size=10, log=lambda *_: None
    )
    layouts = result["layouts"]
    assert set(layouts) == {"plain", "cycle", "district"}
    for figures in layouts.values():
        assert figures["teacher"]["samples"] == 5 and figures["copy"]["samples"] == 2
        assert figures["removed"] == 20
    # The closed cycle leaves whole: detached, or deleted row by row, the same rows.
    archived = {figures["archive"]["rows"] for figures in layouts.values()}
    assert len(archived) == 1 and archived.pop() > 0
    assert layouts["cycle"]["archive"]["how"] == "DETACH PARTITION"
    # The rebuild's aggregate on a copy is the balances' own figure.
    assert partition.report_rows(result)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'bench\\_part\\_%%'")
        assert cursor.fetchone()[0] == 0  # the copies are gone
    assert CreditEntry.objects.count() == before


def test_the_sync_profile_runs_and_leaves_nothing(tiny):
    from bench import sync_profile

    entries, activities = CreditEntry.objects.count(), CreditActivity.objects.count()
    text = sync_profile.report(1, 5, explain=True, top=3)
    assert "per batch: wall" in text and "statements, ms per batch" in text
    assert "cProfile of 1 batches" in text
    if connection.vendor == "postgresql":
        assert "EXPLAIN" not in text and "Insert on credits_creditbalance" in text
    assert (CreditEntry.objects.count(), CreditActivity.objects.count()) == (entries, activities)
    if connection.vendor == "postgresql":
        assert "backend CPU by statement" in text and "COPY (entries)" in text
    api = sync_profile.report(1, 5, top=3, api=True)  # the endpoint, through the test client
    assert "per batch: wall" in api and "cProfile of 1 batches" in api
    assert (CreditEntry.objects.count(), CreditActivity.objects.count()) == (entries, activities)
