"""Which index of the credit ledger each query reads (issue 17: every index
on ``credits_creditentry`` justified by the query that needs it).

    BENCH_DATABASE_URL=postgres://…/gz_sync_bench python -m bench.ledger_indexes \
        [--without INDEX[,INDEX…]] [--only NAME,…]

Runs every code path that reads the ledger — the API's change feed and
filters, the teacher page, the ledger pages, transcripts, the batch sync's
look-ups, studio hours, the balance rebuild, deleting a user, a teacher or a
district — on the bench data, captures the statements that touch the ledger,
and prints for each ``EXPLAIN (ANALYZE, BUFFERS)``'s execution time, buffers
and the ledger indexes its plan uses. ``--without`` runs the same with those
indexes dropped inside a transaction that is rolled back (the table is
locked meanwhile: use a copy of the bench database). Nothing is kept: every
reader runs in a transaction that is rolled back.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys

LEDGER = "credits_creditentry"


class _Rollback(Exception):
    pass


def _readers(actors):
    """(name, what it stands for, callable) for every reader of the ledger."""
    from django.db.models.deletion import Collector
    from django.test import Client
    from django.utils import timezone

    from bench import run
    from centers.models import District, Teacher
    from core.models import Membership
    from core.roles import Role
    from credits import bulk, services
    from credits.models import CreditEntry, CreditPolicy, Transcript
    from studios.models import Studio
    from studios.services import studio_hours

    staff = Membership.objects.filter(
        role=Role.DISTRICT_STAFF, user__username__startswith="bench-district-"
    ).first()
    district_user, district_id = staff.user, staff.organisation_id
    system_user = actors["systems"][district_id]
    teacher_user = actors["teachers"][0]
    teacher = Teacher.objects.filter(user=teacher_user).first()
    some = CreditEntry.objects.filter(district_id=district_id).exclude(external_id="").first()
    reversed_entry = CreditEntry.objects.filter(
        reverses__isnull=False, teacher__district_id=district_id
    ).first()
    detail_pk = reversed_entry.reverses_id if reversed_entry else some.pk
    since = (timezone.now() - datetime.timedelta(days=7)).isoformat()
    token = run.issue_tokens({district_id: system_user})[district_id]

    def as_system(url):
        return lambda: Client().get(url, HTTP_AUTHORIZATION=f"Token {token}")

    def as_user(user, url):
        def get():
            client = Client()
            client.force_login(user)
            return client.get(url)

        return get

    def collect(obj):
        return lambda: Collector(using="default").collect([obj])

    def transcript():
        transcript = services.issue_transcript(teacher=teacher, by=teacher_user)
        list(services.transcript_entries(Transcript.objects.get(pk=transcript.pk)))

    def studio():
        studio = Studio.objects.first()
        if studio is not None:
            studio_hours(studio)

    def rebuild():
        for policy in CreditPolicy.objects.filter(is_active=True):
            services.rebuild_balances(policy)

    api = "/api/v1/credits/entries/"
    user_model = type(system_user)
    return [
        (
            "api-changes-system",
            "district system reads changes: ?updated_since=7 days&ordering=updated_at",
            as_system(f"{api}?updated_since={since}&ordering=updated_at".replace("+", "%2B")),
        ),
        (
            "api-changes-bureau",
            "the bureau reads the city's changes (no district scope)",
            as_user(
                actors["bureau"],
                f"{api}?updated_since={since}&ordering=updated_at".replace("+", "%2B"),
            ),
        ),
        (
            "api-district-filter",
            "?district=<id>&updated_since= (the bureau, one district)",
            as_user(
                actors["bureau"],
                f"{api}?district={district_id}&updated_since={since}".replace("+", "%2B"),
            ),
        ),
        (
            "api-external-id",
            "district system looks one entry up: ?external_id=",
            as_system(f"{api}?external_id={some.external_id}"),
        ),
        ("api-teacher", "?teacher=<id>", as_system(f"{api}?teacher={some.teacher_id}")),
        (
            "teacher-page",
            "a teacher's /credits/ (summary, history)",
            as_user(teacher_user, "/credits/"),
        ),
        (
            "staff-drilldown",
            "district staff open a teacher: /credits/teachers/<pk>/",
            as_user(district_user, f"/credits/teachers/{some.teacher_id}/"),
        ),
        (
            "ledger-list",
            "district staff's ledger page /credits/entries/",
            as_user(district_user, "/credits/entries/"),
        ),
        (
            "ledger-search",
            "the ledger page searched: ?q=<external id>",
            as_user(district_user, f"/credits/entries/?q={some.external_id}"),
        ),
        (
            "entry-detail",
            "an entry's page (its reversal looked up)",
            as_user(district_user, f"/credits/entries/{detail_pk}/"),
        ),
        ("transcript", "issue a transcript, then its entries", transcript),
        (
            "sync-known-ids",
            "a batch's already-sent external ids (bulk.sent_entries)",
            lambda: bulk.sent_entries(
                district_id,
                list(
                    CreditEntry.objects.filter(district_id=district_id)
                    .exclude(external_id="")
                    .values_list("external_id", flat=True)[:1000]
                ),
            ),
        ),
        (
            "award-external-id",
            "award_hours with an external id (one look-up)",
            lambda: CreditEntry.objects.filter(
                district_id=some.district_id, external_id=some.external_id
            ).first(),
        ),
        ("studio-hours", "studios.services.studio_hours (activity keys)", studio),
        ("rebuild-balances", "services.rebuild_balances (a policy's cycle changed)", rebuild),
        (
            "delete-user",
            "deleting a user: Django's PROTECT check (Collector)",
            collect(user_model.objects.order_by("-pk").first()),
        ),
        (
            "delete-teacher",
            "deleting a teacher: the PROTECT check",
            collect(Teacher.objects.order_by("-pk").first()),
        ),
        (
            "delete-district",
            "deleting a district: the PROTECT check",
            collect(District.objects.order_by("-pk").first()),
        ),
    ]


# PostgreSQL's own checks when a referenced row goes (ON DELETE NO ACTION,
# deferred to the commit): the statement ri_triggers.c runs per row deleted,
# here for the referenced row of the highest id.
RI_CHECKS = [
    ("ri-user", "registered_by_id", "core_user"),
    ("ri-teacher", "teacher_id", "centers_teacher"),
    ("ri-district", "district_id", "centers_district"),
    ("ri-reverses", "reverses_id", LEDGER),
]


def _explain(cursor, sql, params=None) -> dict:
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
    (plan,) = cursor.fetchone()
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    indexes, scans = set(), set()

    def walk(node):
        if node.get("Relation Name") == LEDGER or LEDGER in node.get("Index Name", ""):
            scans.add(node["Node Type"])
        name = node.get("Index Name")
        if name and node.get("Relation Name", LEDGER) == LEDGER:
            indexes.add(name)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    top = plan["Plan"]
    return {
        "ms": plan["Execution Time"],
        "buffers": top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0),
        "indexes": sorted(indexes),
        "seq": "Seq Scan" in scans or "Parallel Seq Scan" in str(plan),
    }


def _ledger_indexes(cursor) -> list[str]:
    cursor.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1",
        [LEDGER],
    )
    return [name for (name,) in cursor.fetchall()]


def _drop(cursor, names):
    for name in names:
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conindid = %s::regclass AND conrelid = %s::regclass",
            [name, LEDGER],
        )
        row = cursor.fetchone()
        if row:
            cursor.execute(f'ALTER TABLE {LEDGER} DROP CONSTRAINT "{row[0]}"')
        else:
            cursor.execute(f'DROP INDEX "{name}"')


_LEDGER_SQL = re.compile(rf'\b"?{LEDGER}"?\b')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--without", default="", help="comma-separated ledger indexes to drop")
    parser.add_argument("--only", default="", help="comma-separated reader names")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    args = parser.parse_args(argv)

    from bench import env as bench_env

    url = bench_env.configure()
    if "bench" not in bench_env.database_name(url):
        sys.exit("Use a bench database.")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench import run

    settings.DEBUG = False
    actors = run.bench_actors()
    without = [n for n in args.without.split(",") if n]
    only = {n for n in args.only.split(",") if n}
    findings = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            present = _ledger_indexes(cursor)
            _drop(cursor, without)
        readers = _readers(actors)
        sid = transaction.savepoint()
        for name, what, call in readers:
            if only and name not in only:
                continue
            with CaptureQueriesContext(connection) as captured:
                try:
                    call()
                except Exception as exc:  # a PROTECT refusal is the answer too
                    if type(exc).__name__ != "ProtectedError":
                        raise
            statements = [
                q["sql"]
                for q in captured.captured_queries
                if _LEDGER_SQL.search(q["sql"])
                and q["sql"].lstrip().upper().startswith(("SELECT", "WITH", "INSERT"))
                and not q["sql"].lstrip().upper().startswith(f'INSERT INTO "{LEDGER.upper()}"')
            ]
            transaction.savepoint_rollback(sid)
            sid = transaction.savepoint()
            with connection.cursor() as cursor:
                for sql in statements:
                    if sql.upper().startswith("INSERT"):  # INSERT … SELECT: its reading part
                        sql = sql[sql.upper().index(" SELECT ") + 1 :]
                    found = _explain(cursor, sql)
                    findings.append({"reader": name, "what": what, "sql": sql[:160], **found})
            transaction.savepoint_rollback(sid)
            sid = transaction.savepoint()
        with connection.cursor() as cursor:
            for name, column, _table in RI_CHECKS:
                if only and name not in only:
                    continue
                cursor.execute(f"SELECT max(id) FROM {_table}")
                (value,) = cursor.fetchone()
                sql = f"SELECT 1 FROM ONLY {LEDGER} x WHERE {column} = %s FOR KEY SHARE OF x"
                found = _explain(cursor, sql, [value])
                findings.append(
                    {
                        "reader": name,
                        "what": f"PostgreSQL's check when a row of {_table} is deleted",
                        "sql": f"SELECT 1 FROM ONLY {LEDGER} x WHERE {column} = $1 FOR KEY SHARE",
                        **found,
                    }
                )
        transaction.set_rollback(True)
    if args.json:
        print(json.dumps(findings, ensure_ascii=False, indent=1))
        return 0
    print(f"Ledger indexes: {', '.join(present)}")
    if without:
        print(f"Dropped for this run: {', '.join(without)}")
    print(f"{'reader':22s} {'ms':>8s} {'buffers':>8s}  indexes of the ledger used")
    for f in findings:
        used = ", ".join(f["indexes"]) or "-"
        if f["seq"]:
            used += " + SEQ SCAN of the ledger"
        print(f"{f['reader']:22s} {f['ms']:8.2f} {f['buffers']:8d}  {used}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
