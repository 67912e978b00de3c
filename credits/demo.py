"""Demo credits: the city policy for 2022–2026 (360 hours), entries for every
demo teacher with varied progress (some complete, some at risk), a pending
claim and a reversal for the demo account ``teacher``. Loading twice changes
nothing: entries carry demo external ids and post_batch skips known ones."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from centers.models import District, Teacher

from . import services
from .models import (
    CategoryMinimum,
    ClaimEvidence,
    ClaimStatus,
    CreditClaim,
    CreditEntry,
    CreditPolicy,
    Source,
)

CYCLE = (date(2022, 1, 1), date(2026, 12, 31))
MINIMUMS = {"ethics": Decimal("36"), "it": Decimal("50")}
SOURCES = [
    (Source.TRAINING, "subject", "市级骨干教师培训"),
    (Source.ONLINE, "it", "信息技术应用能力提升工程2.0"),
    (Source.SCHOOL_BASED, "school_based", "校本研修：课堂观察"),
    (Source.STUDIO, "subject", "名师工作室研修活动"),
    (Source.EXTERNAL, "ethics", "师德师风专题学习"),
    (Source.ONLINE, "wellbeing", "教师心理健康讲座"),
]


def load(stdout=None):
    policy, _ = CreditPolicy.objects.get_or_create(
        district=None,
        cycle_start=CYCLE[0],
        defaults={"name": "广州市中小学教师继续教育（2022—2026）", "cycle_end": CYCLE[1]},
    )
    for category, hours in MINIMUMS.items():
        CategoryMinimum.objects.get_or_create(
            policy=policy, category=category, defaults={"hours": hours}
        )
    today = min(timezone.localdate(), CYCLE[1])
    span = (today - CYCLE[0]).days
    rng = random.Random(4)
    for district in District.objects.order_by("pk"):
        teachers = list(
            Teacher.objects.filter(district=district).exclude(external_id="").order_by("pk")
        )
        rows = []
        for teacher in teachers:
            # Some finished, most on their way, some far behind.
            target = Decimal(rng.choice([380, 365, 360, 330, 300, 260, 200, 150, 90]))
            n = rng.randrange(6, 10)
            each = (target / n).quantize(Decimal("0.5"))
            for i in range(n):
                source, category, title = SOURCES[(i + teacher.pk) % len(SOURCES)]
                rows.append(
                    {
                        "external_id": f"demo-{teacher.external_id}-{i}",
                        "teacher": teacher.external_id,
                        "category": category,
                        "source": source,
                        "hours": str(each),
                        "earned_on": (
                            CYCLE[0] + timedelta(days=rng.randrange(max(span, 1)))
                        ).isoformat(),
                        "title": title,
                    }
                )
        for start in range(0, len(rows), services.MAX_BATCH):
            services.post_batch(
                district=district,
                rows=rows[start : start + services.MAX_BATCH],
                org_name=f"广州市{district.name}教师发展中心",
            )
    _demo_teacher()


def _demo_teacher():
    teacher = Teacher.objects.filter(user__username="teacher").first()
    if teacher is None:
        return
    entry = (
        CreditEntry.objects.filter(teacher=teacher, reverses__isnull=True, reversal__isnull=True)
        .order_by("pk")
        .first()
    )
    already = CreditEntry.objects.filter(teacher=teacher, reverses__isnull=False).exists()
    if entry is not None and not already:
        from django.contrib.auth import get_user_model

        district_user = get_user_model().objects.filter(username="district").first()
        services.reverse_entry(entry=entry, reason="重复登记，予以冲销", by=district_user)
    if not CreditClaim.objects.filter(teacher=teacher, status=ClaimStatus.SUBMITTED).exists():
        claim = CreditClaim.objects.create(
            teacher=teacher,
            school_id=teacher.school_id,
            district_id=teacher.district_id,
            title="参加全国新课标教学研讨会（线上）",
            source=Source.ONLINE,
            category="subject",
            hours=Decimal("12"),
            earned_on=min(timezone.localdate(), CYCLE[1]) - timedelta(days=20),
            description="主办方颁发的学时证明见附件。",
            submitted_by=teacher.user,
        )
        ClaimEvidence.objects.create(
            claim=claim,
            name="学时证明.pdf",
            file=ContentFile(b"%PDF-1.4\n% demo certificate\n", name="certificate.pdf"),
        )
