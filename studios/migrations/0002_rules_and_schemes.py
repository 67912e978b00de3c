"""The mentoring rule of the provincial reply (002: famous teachers and
principals mentor at least 3 ordinary teachers a year) and the evaluation
schemes in use, as data the bureau may change."""

from decimal import Decimal

from django.db import migrations

ANNUAL = [
    ("计划与制度建设", "15"),
    ("研修活动开展", "25"),
    ("师徒结对与示范辐射", "20"),
    ("成果产出", "25"),
    ("成员专业成长", "15"),
]
CYCLE = [
    ("周期目标达成", "30"),
    ("成员培养成效", "30"),
    ("示范辐射作用", "20"),
    ("成果质量与推广", "20"),
]


def forwards(apps, schema_editor):
    MentoringRule = apps.get_model("studios", "MentoringRule")
    EvaluationScheme = apps.get_model("studios", "EvaluationScheme")
    Criterion = apps.get_model("studios", "Criterion")
    MentoringRule.objects.get_or_create(
        kind="",
        defaults={
            "min_mentees": 3,
            "mentee_hours": Decimal("20"),
            "mentor_hours": Decimal("10"),
            "source": "省教育厅2024年答复：每年至少结对带动3名普通教师，实行5年一周期考核管理",
        },
    )
    for kind, name, criteria in (
        ("annual", "工作室年度评价指标", ANNUAL),
        ("cycle", "工作室周期评价指标", CYCLE),
    ):
        scheme, created = EvaluationScheme.objects.get_or_create(
            kind=kind, is_active=True, defaults={"name": name}
        )
        if created:
            for order, (criterion, weight) in enumerate(criteria, start=1):
                Criterion.objects.create(
                    scheme=scheme, name=criterion, weight=Decimal(weight), order=order
                )


class Migration(migrations.Migration):
    dependencies = [("studios", "0001_studios")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
