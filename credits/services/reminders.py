"""Monthly reminders to at-risk teachers and their school admins."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from centers.models import School, Teacher
from core.models import Membership
from core.roles import Role

from ..models import Reminder, ReminderKind
from .common import as_hours
from .policies import policy_map
from .progress import at_risk


def remind_at_risk(on=None) -> dict:
    """Put a reminder on the home page of each at-risk teacher with an
    account and of the school admins of their schools, once per month."""
    on = on or timezone.localdate()
    period = f"{on:%Y-%m}"
    pmap = policy_map(on)
    risky = list(
        at_risk(Teacher.objects.filter(is_active=True), on, pmap).values_list(
            "pk", "user_id", "school_id", "district_id", "cycle_hours", "required"
        )
    )
    reminders = []
    per_school = defaultdict(int)
    for _pk, user_id, school_id, district_id, hours, required in risky:
        per_school[school_id] += 1
        if user_id is None:
            continue
        policy = pmap.for_district(district_id)
        reminders.append(
            Reminder(
                user_id=user_id,
                kind=ReminderKind.TEACHER_AT_RISK,
                period=period,
                policy=policy,
                data={
                    "hours": str(as_hours(hours)),
                    "required": str(as_hours(required)),
                    "cycle_end": policy.cycle_end.isoformat(),
                },
            )
        )
    admins = Membership.objects.active(on).filter(
        role=Role.SCHOOL_ADMIN, organisation_id__in=list(per_school)
    )
    school_district = dict(
        School.objects.filter(pk__in=list(per_school)).values_list("pk", "district_id")
    )
    for membership in admins:
        policy = pmap.for_district(school_district.get(membership.organisation_id))
        if policy is None:
            continue
        reminders.append(
            Reminder(
                user_id=membership.user_id,
                kind=ReminderKind.SCHOOL_AT_RISK,
                period=period,
                policy=policy,
                data={"count": per_school[membership.organisation_id]},
            )
        )
    before = Reminder.objects.filter(period=period).count()
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True)
    created = Reminder.objects.filter(period=period).count() - before
    return {"at_risk": len(risky), "reminders": created}
