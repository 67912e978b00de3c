"""The studio rules the portal starts with, as data: the provincial reply's
mentoring minimum (002: 每年至少结对带动3名普通教师) and the criteria and
weights of the annual and cycle evaluations. The migration writes them and
``services.ensure_defaults`` restores them where a database lacks them (a
flushed test database); afterwards the bureau changes them in the admin."""

from decimal import Decimal

MENTORING_RULE = {
    "min_mentees": 3,
    "mentee_hours": Decimal("20"),
    "mentor_hours": Decimal("10"),
    "source": "省教育厅2024年答复：每年至少结对带动3名普通教师，实行5年一周期考核管理",
}
SCHEMES = {
    "annual": (
        "工作室年度评价指标",
        [
            ("计划与制度建设", Decimal("15")),
            ("研修活动开展", Decimal("25")),
            ("师徒结对与示范辐射", Decimal("20")),
            ("成果产出", Decimal("25")),
            ("成员专业成长", Decimal("15")),
        ],
    ),
    "cycle": (
        "工作室周期评价指标",
        [
            ("周期目标达成", Decimal("30")),
            ("成员培养成效", Decimal("30")),
            ("示范辐射作用", Decimal("20")),
            ("成果质量与推广", Decimal("20")),
        ],
    ),
}


def write(MentoringRule, EvaluationScheme, Criterion):
    """Write the defaults with the given model classes (the migration's
    historical ones or the app's); existing rows are left as they are."""
    MentoringRule.objects.get_or_create(kind="", defaults=MENTORING_RULE)
    for kind, (name, criteria) in SCHEMES.items():
        if EvaluationScheme.objects.filter(kind=kind, is_active=True).exists():
            continue
        scheme = EvaluationScheme.objects.create(kind=kind, name=name, is_active=True)
        for order, (criterion, weight) in enumerate(criteria, start=1):
            Criterion.objects.create(scheme=scheme, name=criterion, weight=weight, order=order)
