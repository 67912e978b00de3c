"""City-size credits data for the benchmark: 11 districts, ~1,500 schools,
30,000 teachers and 1,500,000 ledger entries over the demo cycle
(2022-01-01..2026-12-31, 360 hours), deterministic for a seed.

Run on its own::

    .venv/bin/python -m bench.generate            # fills gz_bench if empty
    .venv/bin/python -m bench.generate --fresh    # drops and rebuilds gz_bench

Rows are written with PostgreSQL ``COPY`` (plain multi-row INSERTs on other
databases, for the smoke test). The ledger's append-only trigger fires on
UPDATE and DELETE only, so loading it is allowed. The data keeps the ledger's
invariants: awards positive and reversals negative pointing at what they
reverse (each at most once), an activity key once per teacher with its
``CreditActivity`` row, external ids unique per district. As the ledger is
loaded beside the services, the derived per-teacher balances are rebuilt
afterwards with ``credits.services.rebuild_balances``.

The shape follows the day it is generated on, as the at-risk rule does (a
teacher is at risk when their pace so far misses the total): about 10 % of
teachers are behind their pace (40–95 % of it), about 45 % are on pace but
not yet complete, and the rest have completed their 360 hours. About 0.8 % of
entries date from the previous cycle and do not count; about 0.5 % are a
double registration and its reversal.
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import time
from dataclasses import dataclass

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
    "史黎贺顾毛郝龚邵万钱覃武戴孔汤庞"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玲红梅鑫斌宇浩凯俊帆琳晨欣"
    "怡婷雪慧颖佳嘉倩晓志海燕"
)
SUBJECTS = [
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "政治",
    "音乐",
    "美术",
    "体育",
    "信息技术",
    "科学",
]
STAGE_NAMES = [
    ("primary", "小学", 0.45),
    ("junior", "中学", 0.22),
    ("senior", "高级中学", 0.12),
    ("nine_year", "实验学校", 0.08),
    ("kindergarten", "幼儿园", 0.10),
    ("vocational", "职业技术学校", 0.02),
    ("special", "特殊教育学校", 0.01),
]
# Relative size of each district's teaching staff (centers.demo.DISTRICTS order).
DISTRICT_WEIGHT = {
    "yuexiu": 1.0,
    "liwan": 0.8,
    "haizhu": 1.2,
    "tianhe": 1.5,
    "baiyun": 1.9,
    "huangpu": 1.0,
    "panyu": 1.8,
    "huadu": 1.2,
    "nansha": 0.7,
    "conghua": 0.5,
    "zengcheng": 1.3,
}
# (source, category, title, keyed activity prefix, synced from a district system, weight)
KINDS = [
    ("training", "subject", "市级骨干教师培训", "training.subproject", False, 0.20),
    ("training", "ethics", "师德师风专题培训", "training.subproject", False, 0.06),
    ("studio", "subject", "名师工作室研修活动", "studios.cycle", False, 0.06),
    ("online", "it", "信息技术应用能力提升工程2.0", "", True, 0.14),
    ("school_based", "school_based", "校本研修：课堂观察", "", True, 0.24),
    ("external", "subject", "省级教师教育网络研修", "", True, 0.14),
    ("external", "ethics", "师德师风专题学习", "", True, 0.05),
    ("online", "wellbeing", "教师心理健康讲座", "", True, 0.05),
    ("manual", "general", "学术会议与交流", "", False, 0.06),
]
PREVIOUS_CYCLE = (datetime.date(2020, 1, 1), datetime.date(2021, 12, 31))
BENCH_PREFIX = "bench-"


@dataclass(frozen=True)
class Scale:
    districts: int = 11
    schools: int = 1500
    teachers: int = 30_000
    entries: int = 1_500_000
    accounts: int = 50  # teachers with a sign-in account (the summary sample)
    seed: int = 2026


CITY = Scale()


def scaled(times: int) -> Scale:
    """The city ``times`` over (``--scale 10``: a province, 300,000 teachers and
    15 M entries in 15,000 schools of the same 11 districts; 500 accounts)."""
    if times < 1:
        raise ValueError("the scale is a whole number ≥ 1")
    return Scale(
        schools=CITY.schools * times,
        teachers=CITY.teachers * times,
        entries=CITY.entries * times,
        accounts=CITY.accounts,
    )


TINY = Scale(districts=1, schools=3, teachers=20, entries=500, accounts=5)


# --- Loading rows ------------------------------------------------------------------------


class Loader:
    """Insert rows given as tuples of column values: ``COPY`` on PostgreSQL,
    multi-row INSERTs elsewhere. Columns not given get the field's default."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def columns(self, model, given):
        fields = {f.column: f for f in model._meta.concrete_fields}
        missing = [c for c in given if c not in fields]
        if missing:
            raise ValueError(f"{model.__name__} has no columns {missing}")
        filler_cols, filler = [], []
        for column, f in fields.items():
            if column in given or (f.primary_key and column not in given):
                continue
            default = f.get_default()
            if default is None and not f.null:
                raise ValueError(f"{model.__name__}.{column} needs a value")
            filler_cols.append(column)
            filler.append(default)
        return list(given) + filler_cols, tuple(filler)

    def load(self, model, given, rows, chunk=200_000) -> int:
        columns, filler = self.columns(model, given)
        table = model._meta.db_table
        count = 0
        buffer = []
        for row in rows:
            buffer.append(row + filler)
            if len(buffer) >= chunk:
                count += self._write(model, table, columns, buffer)
                buffer = []
        if buffer:
            count += self._write(model, table, columns, buffer)
        return count

    def _write(self, model, table, columns, rows) -> int:
        if self.postgres:
            self.copy(table, columns, rows)
        else:
            fields = {f.column: f for f in model._meta.concrete_fields}
            prepared = [
                [
                    v if v is None else fields[c].get_db_prep_save(v, self.connection)
                    for c, v in zip(columns, row, strict=True)
                ]
                for row in rows
            ]
            cols = ", ".join(self.connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            with self.connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", prepared)
        return len(rows)

    def copy(self, table, columns, rows) -> None:
        """``COPY table (columns) FROM STDIN`` from an in-memory text buffer."""
        data = io.StringIO()
        for row in rows:
            data.write("\t".join(map(_copy_text, row)))
            data.write("\n")
        data.seek(0)
        cols = ", ".join(self.connection.ops.quote_name(c) for c in columns)
        statement = f"COPY {table} ({cols}) FROM STDIN"
        self.connection.ensure_connection()
        with self.connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(statement, data)
            else:  # psycopg 3
                with raw.copy(statement) as copy:
                    copy.write(data.getvalue())

    def reset_sequence(self, model) -> None:
        if not self.postgres:
            return
        table = model._meta.db_table
        pk = model._meta.pk.column
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"COALESCE((SELECT MAX({pk}) FROM {table}), 0) + 1, false)",
                [table, pk],
            )


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


# --- Helpers -----------------------------------------------------------------------------


def split(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """``total`` split in integers proportional to ``weights`` (largest
    remainder), each at least ``minimum``."""
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        raise ValueError("total too small")
    whole = sum(weights)
    exact = [spare * w / whole for w in weights]
    parts = [int(x) for x in exact]
    left = spare - sum(parts)
    for i in sorted(range(n), key=lambda i: parts[i] - exact[i])[:left]:
        parts[i] += 1
    return [p + minimum for p in parts]


def id_number(rng, region: str, used: set) -> str:
    from centers.validators import id_check_digit

    while True:
        birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=rng.randrange(14_000))
        first17 = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 not in used:
            used.add(first17)
            return first17 + id_check_digit(first17)


def already_generated(scale: Scale) -> bool:
    from centers.models import Teacher
    from credits.models import CreditEntry

    teachers = Teacher.objects.filter(external_id__startswith="BT").count()
    return teachers >= scale.teachers and CreditEntry.objects.exists()


# --- The generator -----------------------------------------------------------------------


def generate(scale: Scale = CITY, *, today=None, log=print) -> dict:
    """Fill the current database (empty of bench data) at ``scale``.
    Returns counts and seconds per step."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from centers.demo import DISTRICTS
    from centers.fields import encrypt, hash_id_number
    from centers.models import District, School, Teacher
    from core.models import Membership, User
    from core.roles import Role
    from credits import services
    from credits.demo import CYCLE, MINIMUMS
    from credits.models import (
        CategoryMinimum,
        ClaimStatus,
        CreditActivity,
        CreditClaim,
        CreditEntry,
        CreditPolicy,
        OrgKind,
    )

    rng = random.Random(scale.seed)
    loader = Loader(connection)
    today = today or timezone.localdate()
    now = timezone.now()
    stats: dict = {"scale": scale.__dict__, "today": today.isoformat(), "seconds": {}}
    started = time.perf_counter()

    def step(name):
        elapsed = time.perf_counter() - started
        stats["seconds"][name] = round(elapsed - sum(stats["seconds"].values()), 2)
        log(f"  {name}: {stats['seconds'][name]:.1f} s")

    # Districts (the demo's names and codes) and the city policy of the demo.
    districts = []
    for order, (code, name, region) in enumerate(DISTRICTS[: scale.districts], start=1):
        district, _ = District.objects.update_or_create(
            code=code, defaults={"name": name, "order": order}
        )
        districts.append((district, region))
    policy, _ = CreditPolicy.objects.get_or_create(
        district=None,
        cycle_start=CYCLE[0],
        defaults={"name": "广州市中小学教师继续教育（2022—2026）", "cycle_end": CYCLE[1]},
    )
    for category, hours in MINIMUMS.items():
        CategoryMinimum.objects.get_or_create(
            policy=policy, category=category, defaults={"hours": hours}
        )
    policy = services.policy_for(districts[0][0].pk, today)
    required_half = int(policy.total_hours * 2)
    elapsed = policy.elapsed_days(today)
    fraction = elapsed / policy.cycle_days
    cycle_start = policy.cycle_start.toordinal()
    last_day = min(today, policy.cycle_end).toordinal()
    stats["policy"] = {
        "name": policy.name,
        "cycle": [policy.cycle_start.isoformat(), policy.cycle_end.isoformat()],
        "total_hours": str(policy.total_hours),
        "elapsed_fraction": round(fraction, 4),
    }

    with transaction.atomic():
        # Accounts: the bureau, each district's staff and system, sampled teachers.
        password = make_password(None)
        users = {}

        def account(username, name, role, org):
            user, created = User.objects.get_or_create(
                username=username, defaults={"name": name, "password": password}
            )
            if created:
                Membership.objects.create(
                    user=user, role=role, organisation_id=org, starts_on=CYCLE[0]
                )
            users[username] = user
            return user

        account(f"{BENCH_PREFIX}bureau", "市教育局", Role.BUREAU, None)
        for district, _region in districts:
            account(
                f"{BENCH_PREFIX}district-{district.code}",
                district.name,
                Role.DISTRICT_STAFF,
                district.pk,
            )
            account(
                f"{BENCH_PREFIX}system-{district.code}",
                district.name,
                Role.DISTRICT_SYSTEM,
                district.pk,
            )

        # Schools, sized per district.
        weights = [DISTRICT_WEIGHT.get(d.code, 1.0) for d, _r in districts]
        school_counts = split(scale.schools, weights, minimum=1)
        school_rows, schools = [], []  # schools: (id, district_id, region)
        school_id = next_id(School)
        stage_cum = list(STAGE_NAMES)
        for (district, region), count in zip(districts, school_counts, strict=True):
            for n in range(1, count + 1):
                stage, label, _w = rng.choices(stage_cum, weights=[s[2] for s in stage_cum])[0]
                school_rows.append(
                    (
                        school_id,
                        district.pk,
                        f"{district.name}第{n}{label}",
                        stage,
                        "public" if rng.random() < 0.85 else "private",
                        f"BS{n:05d}",
                        True,
                        now,
                        now,
                    )
                )
                schools.append((school_id, district.pk, region, stage))
                school_id += 1
        loader.load(
            School,
            [
                "id",
                "district_id",
                "name",
                "stage",
                "ownership",
                "external_id",
                "is_active",
                "created_at",
                "updated_at",
            ],
            school_rows,
        )
        loader.reset_sequence(School)
        step("schools")

        # Teachers, spread over schools of varied size; some have accounts.
        sizes = split(scale.teachers, [rng.uniform(0.3, 1.7) for _ in schools], minimum=1)
        teacher_rows, teachers = [], []  # teachers: (id, school_id, district_id)
        teacher_id = next_id(Teacher)
        used_ids: set = set()
        seq = 0
        for (sid, did, region, stage), size in zip(schools, sizes, strict=True):
            for _ in range(size):
                seq += 1
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
                number = id_number(rng, region, used_ids)
                teacher_rows.append(
                    [
                        teacher_id,
                        sid,
                        did,
                        name,
                        encrypt(number),  # at rest as the portal keeps it (centers.fields)
                        rng.choice(SUBJECTS),
                        stage,
                        rng.choice(
                            ["senior", "first", "first", "second", "second", "third", "none"]
                        ),
                        "teacher",
                        rng.choice(["new", "adapting", "qualified", "qualified", "key", "expert"]),
                        None,
                        f"BT{seq:06d}",
                        True,
                        now,
                        now,
                        hash_id_number(number),
                    ]
                )
                teachers.append((teacher_id, sid, did))
                teacher_id += 1
        step_every = max(1, len(teacher_rows) // scale.accounts)
        for n, row in enumerate(teacher_rows[::step_every][: scale.accounts], start=1):
            user = account(f"{BENCH_PREFIX}teacher-{n:03d}", row[3], Role.TEACHER, row[0])
            row[10] = user.pk
        loader.load(
            Teacher,
            [
                "id",
                "school_id",
                "district_id",
                "name",
                "id_number",
                "subject",
                "stage",
                "title",
                "role",
                "career_stage",
                "user_id",
                "external_id",
                "is_active",
                "created_at",
                "updated_at",
                "id_number_hash",
            ],
            (tuple(r) for r in teacher_rows),
        )
        loader.reset_sequence(Teacher)
        step("teachers")

        # The ledger.
        district_names = {d.pk: f"广州市{d.name}教师发展中心" for d, _r in districts}
        n_entries = split(scale.entries, [rng.uniform(0.5, 1.5) for _ in teachers], minimum=1)
        kind_weights = [k[5] for k in KINDS]
        days = {}

        def day(ordinal):
            text = days.get(ordinal)
            if text is None:
                text = days[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
            return text

        entry_id = next_id(CreditEntry)
        activities = []
        groups = {"at_risk": 0, "on_pace": 0, "complete": 0}
        prev_start, prev_end = PREVIOUS_CYCLE[0].toordinal(), PREVIOUS_CYCLE[1].toordinal()

        def ledger_rows():
            """The ledger's rows, one teacher after another: streamed to COPY in
            chunks (at ``--scale 10`` the 15 M rows held at once took 7.4 GB)."""
            nonlocal entry_id
            for (tid, _sid, did), n in zip(teachers, n_entries, strict=True):
                org_name = district_names[did]
                draw = rng.random()
                pace_half = required_half * fraction
                if draw < 0.10:
                    groups["at_risk"] += 1
                    total_half = int(pace_half * rng.uniform(0.40, 0.95))
                elif draw < 0.55:
                    groups["on_pace"] += 1
                    low = int(pace_half) + 1
                    total_half = rng.randint(min(low, required_half - 1), required_half - 1)
                else:
                    groups["complete"] += 1
                    total_half = rng.randint(required_half, int(required_half * 1.2))
                previous = 1 if (n >= 4 and rng.random() < 0.4) else 0
                pairs = 1 if (n >= 6 and rng.random() < 0.12) else 0
                counted = n - previous - 2 * pairs
                total_half = max(total_half, counted)
                halves = split(total_half, [rng.random() + 0.2 for _ in range(counted)], minimum=1)
                kinds = rng.choices(KINDS, weights=kind_weights, k=counted)
                keys = rng.sample(range(1, 20_000), counted)
                for half, kind, key_no in zip(halves, kinds, keys, strict=True):
                    source, category, title, prefix, synced, _w = kind
                    earned = rng.randint(cycle_start, last_day)
                    created = day(min(earned + rng.randint(0, 30), last_day)) + " 10:00:00+08"
                    key = f"{prefix}:{key_no}" if prefix else ""
                    yield (
                        (
                            entry_id,
                            tid,
                            did,
                            source,
                            category,
                            _hours(half),
                            day(earned),
                            title,
                            "",
                            key,
                            1 if key else 0,
                            f"G{entry_id}" if synced else "",
                            None,
                            "",
                            OrgKind.SYSTEM if synced else OrgKind.CENTER,
                            org_name,
                            created,
                            created,
                        )
                    )
                    if key:
                        activities.append((tid, key, entry_id, 1))
                    entry_id += 1
                for _ in range(previous):
                    earned = rng.randint(prev_start, prev_end)
                    created = day(earned + 7) + " 10:00:00+08"
                    yield (
                        (
                            entry_id,
                            tid,
                            did,
                            "external",
                            "subject",
                            _hours(rng.randint(4, 40)),
                            day(earned),
                            "上一周期继续教育学时",
                            "",
                            "",
                            0,
                            f"G{entry_id}",
                            None,
                            "",
                            OrgKind.SYSTEM,
                            org_name,
                            created,
                            created,
                        )
                    )
                    entry_id += 1
                for _ in range(pairs):
                    earned = rng.randint(cycle_start, last_day)
                    created = day(min(earned + 3, last_day)) + " 10:00:00+08"
                    fixed = day(min(earned + 20, last_day)) + " 15:00:00+08"
                    hours = rng.randint(2, 24)
                    yield (
                        (
                            entry_id,
                            tid,
                            did,
                            "external",
                            "subject",
                            _hours(hours),
                            day(earned),
                            "省级教师教育网络研修",
                            "",
                            "",
                            0,
                            f"G{entry_id}",
                            None,
                            "",
                            OrgKind.SYSTEM,
                            org_name,
                            created,
                            created,
                        )
                    )
                    yield (
                        (
                            entry_id + 1,
                            tid,
                            did,
                            "external",
                            "subject",
                            "-" + _hours(hours),
                            day(earned),
                            "省级教师教育网络研修",
                            "",
                            "",
                            0,
                            "",
                            entry_id,
                            "重复登记，予以冲销",
                            OrgKind.DISTRICT,
                            org_name,
                            fixed,
                            fixed,
                        )
                    )
                    entry_id += 2

        stats["entries"] = loader.load(
            CreditEntry,
            [
                "id",
                "teacher_id",
                "district_id",
                "source",
                "category",
                "hours",
                "earned_on",
                "title",
                "evidence",
                "activity_key",
                "generation",
                "external_id",
                "reverses_id",
                "reason",
                "org_kind",
                "org_name",
                "created_at",
                "updated_at",
            ],
            ledger_rows(),
        )
        loader.reset_sequence(CreditEntry)
        stats["teachers_by_progress"] = groups
        step("ledger built and loaded")
        rebuild_balances()
        loader.load(CreditActivity, ["teacher_id", "key", "entry_id", "generation"], activities)
        loader.reset_sequence(CreditActivity)
        stats["activities"] = len(activities)
        activities.clear()

        # Pending claims of the teachers with accounts (the summary reads them).
        claims = []
        for teacher in Teacher.objects.filter(user__isnull=False, external_id__startswith="BT"):
            for i in range(rng.randint(0, 2)):
                claims.append(
                    CreditClaim(
                        teacher=teacher,
                        school_id=teacher.school_id,
                        district_id=teacher.district_id,
                        title="参加全国新课标教学研讨会（线上）",
                        source="online",
                        category="subject",
                        hours=_hours(rng.randint(4, 24)),
                        earned_on=datetime.date.fromordinal(last_day - 10 - i),
                        status=ClaimStatus.SUBMITTED,
                        submitted_by_id=teacher.user_id,
                    )
                )
        CreditClaim.objects.bulk_create(claims)
        stats["claims"] = len(claims)
        step("activities and claims")
    if loader.postgres:
        # VACUUM sets the visibility map, so aggregates read the ledger's
        # covering index without visiting the table (needs autocommit).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            tables = [m._meta.db_table for m in (School, Teacher, CreditEntry, CreditActivity)]
            tables += [
                t for t in ["credits_creditbalance"] if t in connection.introspection.table_names()
            ]
            for table in tables:
                cursor.execute(f"{command} {table}")
        step("vacuum and analyze")
    stats["total_seconds"] = round(time.perf_counter() - started, 1)
    return stats


def rebuild_balances() -> int:
    """The ledger was loaded beside the services, so recompute the derived
    per-teacher balances (``credits.services.rebuild_balances``) of every
    active policy. Returns the balances written."""
    from credits import services
    from credits.models import CreditPolicy

    rebuild = getattr(services, "rebuild_balances", None)
    if rebuild is None:  # a credits app without balances
        return 0
    return sum(rebuild(policy) for policy in CreditPolicy.objects.filter(is_active=True))


def _hours(half: int) -> str:
    return f"{half // 2}.{5 if half % 2 else 0}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--teachers", type=int, default=CITY.teachers)
    parser.add_argument("--entries", type=int, default=CITY.entries)
    parser.add_argument("--schools", type=int, default=CITY.schools)
    parser.add_argument("--seed", type=int, default=CITY.seed)
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="the city N times over, in its own database gz_bench_xN (overrides the sizes)",
    )
    args = parser.parse_args(argv)
    from bench import env

    env.setup(fresh=args.fresh, scale=args.scale)
    if args.scale > 1:
        scale = scaled(args.scale)
    else:
        scale = Scale(
            teachers=args.teachers, entries=args.entries, schools=args.schools, seed=args.seed
        )
    if already_generated(scale) and not args.fresh:
        print("The bench database already holds the data (use --fresh to rebuild).")
        return 0
    print(f"Generating {scale.teachers:,} teachers and {scale.entries:,} entries…")
    stats = generate(scale)
    print(f"Done in {stats['total_seconds']} s: {stats['entries']:,} entries.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
