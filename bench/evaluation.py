"""The principals' end-of-term evaluation at city scale (issue 14).

``python -m bench --only evaluation`` (part of ``make bench``) builds, inside
one transaction rolled back at the end (the bench city is left as it was), a
bench-only district with ``principals`` schools and its campaign: each
principal rated by ``raters`` raters of the four groups, each answering the
campaign's 25 items — 68,000 ratings and 1,700,000 answers at city scale,
written by ``COPY`` on PostgreSQL (``bulk_create`` elsewhere: the smoke test).
Every tenth principal has four parents, under the minimum of five.

It then measures

* the scoring task (``evaluation.tasks.compute_campaign``, run in process),
  beside its floor: the same aggregation (sum and count of the answers per
  principal, rater group and dimension) as one SQL statement, every row
  fetched; the task run again must store the same scores;
* the district profile page (the campaign's page, 图谱 and heat map) as the
  district's staff, from the stored scores: median, queries, beside its own
  SQL replayed bare and the profile computed by the ORM alone.

Sequential, in one process: the server-side costs, not a load test.
"""

from __future__ import annotations

import io
import random
import time

#: Raters per group out of ``raters`` (40 at city scale): 12, 8, 12, 8.
SHARES = {"students": 0.3, "parents": 0.2, "teachers": 0.3, "managers": 0.2}
JITTER = (-1, 0, 0, 0, 1)


class _Rollback(Exception):
    pass


def measure_evaluation(*, principals: int = 1700, raters: int = 40, rounds: int = 3) -> dict:
    from django.db import transaction

    result: dict = {}
    try:
        with transaction.atomic():
            result = _measure(principals=principals, raters=raters, rounds=rounds)
            raise _Rollback
    except _Rollback:
        pass
    return result


def _groups(index: int, raters: int) -> dict:
    counts = {g: round(raters * share) for g, share in SHARES.items()}
    counts["teachers"] += raters - sum(counts.values())
    if index % 10 == 0 and counts["parents"] > 4:  # under the minimum: no parents' score
        counts["students"] += counts["parents"] - 4
        counts["parents"] = 4
    return counts


def _copy(cursor, table: str, columns: tuple, lines) -> None:
    buffer = io.StringIO("".join(lines))
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def build_campaign(*, principals: int, raters: int, seed: int = 14):
    """The bench district, its schools, campaign, principals and answers.
    Returns ``(campaign, figures)``."""
    from django.db import connection

    from centers.models import District, School
    from evaluation import services
    from evaluation.models import (
        Appraisee,
        Campaign,
        Dimension,
        GroupWeight,
        Rating,
        RatingAnswer,
    )

    started = time.perf_counter()
    district = District.objects.create(
        name="基准测试区(校长考核)", code="bench-evaluation", order=999
    )
    schools = School.objects.bulk_create(
        School(district=district, name=f"基准测试学校{n:04d}", stage="primary")
        for n in range(principals)
    )
    campaign = Campaign.objects.create(
        district=district, term="bench", title="基准测试:校长任期届满考核"
    )
    GroupWeight.objects.bulk_create(
        GroupWeight(campaign=campaign, group=g, weight=w)
        for g, w in services.DEFAULT_GROUP_WEIGHTS.items()
    )
    items = [(i.pk, i.dimension) for i in services.copy_items(campaign)]
    appraisees = Appraisee.objects.bulk_create(
        Appraisee(campaign=campaign, school=s, name=f"校长{n:04d}") for n, s in enumerate(schools)
    )
    rng = random.Random(seed)
    dims = Dimension.values
    plan = []  # (appraisee id, group) per rating, in order
    leaning = {}
    for index, a in enumerate(appraisees):
        strong, weak = dims[index % 5], dims[(index + 2) % 5]
        leaning[a.pk] = {d: 5 if d == strong else 2 if d == weak else 4 for d in dims}
        for group, n in _groups(index, raters).items():
            plan.extend([(a.pk, group)] * n)
    setup_s = time.perf_counter() - started
    today = "2026-06-30"
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _copy(
                cursor.cursor,
                Rating._meta.db_table,
                ("appraisee_id", '"group"', "submitted_on"),
                (f"{pk}\t{group}\t{today}\n" for pk, group in plan),
            )
            cursor.execute(
                f"SELECT id, appraisee_id FROM {Rating._meta.db_table} r "  # noqa: S608
                "WHERE appraisee_id IN (SELECT id FROM evaluation_appraisee "
                "WHERE campaign_id = %s) ORDER BY id",
                [campaign.pk],
            )
            ratings = cursor.fetchall()
            _copy(
                cursor.cursor,
                RatingAnswer._meta.db_table,
                ("rating_id", "item_id", "value"),
                (
                    f"{rating_id}\t{item_id}\t"
                    f"{max(1, min(5, leaning[pk][dim] + rng.choice(JITTER)))}\n"
                    for rating_id, pk in ratings
                    for item_id, dim in items
                ),
            )
            for table in (Rating._meta.db_table, RatingAnswer._meta.db_table):
                cursor.execute(f"ANALYZE {table}")
        method = "COPY"
    else:
        made = Rating.objects.bulk_create(
            Rating(appraisee_id=pk, group=group, submitted_on=today) for pk, group in plan
        )
        RatingAnswer.objects.bulk_create(
            (
                RatingAnswer(
                    rating=r,
                    item_id=item_id,
                    value=max(1, min(5, leaning[r.appraisee_id][dim] + rng.choice(JITTER))),
                )
                for r in made
                for item_id, dim in items
            ),
            batch_size=5000,
        )
        method = "bulk_create"
    copy_s = time.perf_counter() - started
    answers = len(plan) * len(items)
    return campaign, {
        "principals": principals,
        "raters": raters,
        "items": len(items),
        "ratings": len(plan),
        "answers": answers,
        "setup_seconds": round(setup_s, 2),
        "generation": method,
        "generation_seconds": round(copy_s, 2),
        "generation_rows_per_s": round((len(plan) + answers) / copy_s) if copy_s else None,
    }


FLOOR_SQL = """
SELECT r.appraisee_id, r."group", i.dimension, SUM(a.value), COUNT(*)
FROM evaluation_ratinganswer a
JOIN evaluation_rating r ON r.id = a.rating_id
JOIN evaluation_item i ON i.id = a.item_id
JOIN evaluation_appraisee p ON p.id = r.appraisee_id
WHERE p.campaign_id = %s
GROUP BY r.appraisee_id, r."group", i.dimension
"""


def aggregation_floor(campaign_id: int) -> tuple[float, int]:
    """Seconds of the whole aggregation as one statement, and its rows."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [campaign_id])
        rows = len(cursor.fetchall())
    return time.perf_counter() - started, rows


def _log(text):
    print(f"  {text}", flush=True)


def _snapshot(campaign):
    return {a.pk: (a.scores, a.score) for a in campaign.appraisees.all()}


def _measure(*, principals: int, raters: int, rounds: int) -> dict:
    from bench.run import measure_page
    from core.models import Membership, User
    from core.roles import Role
    from evaluation import services, tasks

    campaign, figures = build_campaign(principals=principals, raters=raters)
    _log(f"generated {figures['answers']:,} answers in {figures['generation_seconds']} s")

    started = time.perf_counter()
    tasks.compute_campaign.apply(args=[campaign.pk], throw=True)
    task_s = time.perf_counter() - started
    first = _snapshot(campaign)
    started = time.perf_counter()
    tasks.compute_campaign.apply(args=[campaign.pk], throw=True)
    again_s = time.perf_counter() - started
    same = _snapshot(campaign) == first
    _log(f"task {task_s:.1f} s, again {again_s:.1f} s")
    floor_s, floor_rows = aggregation_floor(campaign.pk)
    _log(f"floor {floor_s:.1f} s")
    campaign.refresh_from_db()
    scored = sum(1 for _scores, score in first.values() if score is not None)
    parents_hidden = sum(
        1 for scores, _s in first.values() if not scores["groups"]["parents"]["shown"]
    )

    user = User.objects.create(username="bench-evaluation-district", password="!")
    Membership.objects.create(
        user=user, role=Role.DISTRICT_STAFF, organisation_id=campaign.district_id
    )

    def profile_floor(_user):
        _profile, _page, rows = services.profile_page(campaign, 1)
        services.link_counts(rows)

    page = measure_page(
        [user] * 5, campaign.get_absolute_url(), rounds=rounds, orm_floor=profile_floor
    )
    figures.update(
        task_seconds=round(task_s, 2),
        task_again_seconds=round(again_s, 2),
        same_scores=same,
        progress=campaign.progress,
        scored=scored,
        parents_hidden=parents_hidden,
        floor_seconds=round(floor_s, 2),
        floor_rows=floor_rows,
        task_ratio=round(task_s / floor_s, 1) if floor_s else None,
        profile_page=page,
    )
    return figures
