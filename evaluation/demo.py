"""Demo evaluations: the satisfaction survey the closed demo class sent
(training's demo closes it; the worker opens the survey), with answers from
most of its trainees, and the two satisfaction figures of the Guangzhou
summary for 2019–2020 (远培中心 87 %, 民办中心 90.37 %) reproduced from
generated anonymous answers; and the demo district's (天河区) principals'
end-of-term evaluation, its principals rated through one-time links by the
four rater groups (parents under the minimum at one school, so its parents'
score stays hidden), computed into the district profile and closed (the
bureau's principals' profile reads closed campaigns). Idempotent: a survey
or campaign that exists is left alone (an open demo campaign is closed)."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from centers.models import Center
from core.models import Membership
from core.roles import Role

from . import services
from .models import (
    Answer,
    Audience,
    Campaign,
    CampaignStatus,
    Dimension,
    QuestionKind,
    RaterGroup,
    RaterToken,
    Rating,
    RatingAnswer,
    Response,
    Survey,
    SurveyKind,
    SurveyStatus,
)

# (title, responses, satisfied on the overall question): 261/300 = 87.00 %, 244/270 = 90.37 %.
SUMMARY = [
    ("2019—2020年远培中心学员满意度调查", 300, 261),
    ("2019—2020年民办中心学员满意度调查", 270, 244),
]
CLOSED_CLASS = "GZ26-12"


def load(stdout=None):
    with transaction.atomic():
        center = _center()
        if center is None:
            return
        for title, n, satisfied in SUMMARY:
            if not Survey.objects.filter(title=title).exists():
                _summary_survey(center, title, n, satisfied)
        _closed_class_answers()
        _campaign()


def _center():
    user = get_user_model().objects.filter(username="center").first()
    if user is None:
        return None
    m = Membership.objects.filter(user=user, role=Role.CENTER_STAFF).first()
    return Center.objects.filter(pk=m.organisation_id).first() if m else None


def _summary_survey(center, title, n, satisfied):
    rng = random.Random(title)
    closed_at = timezone.make_aware(datetime.datetime(2020, 12, 31, 18))
    survey = Survey.objects.create(
        kind=SurveyKind.SATISFACTION,
        title=title,
        center=center,
        anonymous=True,
        audience=Audience.TEACHERS,
        status=SurveyStatus.CLOSED,
        opens_at=closed_at - datetime.timedelta(days=14),
        deadline=closed_at,
    )
    services.build_questions(survey, services.SATISFACTION_TEMPLATE)
    _generate(survey, n, satisfied, rng, datetime.date(2020, 12, 20))
    services.store_results(survey.pk)


def _generate(survey, n, satisfied, rng, day, users=()):
    """``n`` anonymous responses, ``satisfied`` of them 4 or 5 on the overall question."""
    questions = list(survey.questions.all())
    overall = [q for q in questions if q.satisfaction]
    responses = Response.objects.bulk_create(
        Response(survey=survey, submitted_on=day) for _ in range(n)
    )
    answers = []
    for i, response in enumerate(responses):
        happy = i < satisfied
        for q in questions:
            if q in overall:
                value = rng.choice((4, 5, 5)) if happy else rng.choice((1, 2, 3, 3))
            elif q.kind == QuestionKind.SCALE:
                value = rng.choice((3, 4, 4, 5, 5)) if happy else rng.choice((2, 3, 3, 4))
            elif q.kind == QuestionKind.SINGLE:
                value = q.choices[0] if happy else rng.choice(q.choices)
            elif q.kind == QuestionKind.MULTIPLE:
                value = rng.sample(q.choices, rng.randint(1, 3))
                value = [c for c in q.choices if c in value]
            else:
                if rng.random() > 0.2:
                    continue
                value = rng.choice(
                    ["希望增加课例研讨时间", "专家讲座很有启发", "建议提供更多线上资源"]
                )
            answers.append(Answer(response=response, question=q, value=value))
    Answer.objects.bulk_create(answers, batch_size=2000)


def _closed_class_answers():
    """Nine of the closed class's trainees answered; the demo teacher has not
    (their survey waits on their page)."""
    survey = Survey.objects.filter(
        subproject__code=CLOSED_CLASS, kind=SurveyKind.SATISFACTION
    ).first()
    if survey is None or survey.responses.exists():
        return
    invitations = list(survey.invitations.exclude(user__username="teacher").order_by("pk")[:9])
    rng = random.Random(CLOSED_CLASS)
    for i, inv in enumerate(invitations):
        answers = {}
        for q in survey.questions.all():
            if q.kind == QuestionKind.SCALE:
                answers[q.pk] = 5 if i % 3 else 4 if i else 3
            elif q.kind == QuestionKind.SINGLE:
                answers[q.pk] = q.choices[0]
            elif q.kind == QuestionKind.MULTIPLE:
                answers[q.pk] = rng.sample(q.choices, 2)
        services.answer(token=inv.token, answers=answers, by=inv.user)


CAMPAIGN_TERM = "2023—2026"
JITTER = (-1, 0, 0, 0, 1)
#: answers per rater group (the first school's parents stay under the minimum of 5)
RATERS = {
    RaterGroup.STUDENTS: 8,
    RaterGroup.PARENTS: 6,
    RaterGroup.TEACHERS: 10,
    RaterGroup.MANAGERS: 5,
}


def _campaign():
    """天河区's campaign: its schools' principals, each with a leaning (a
    strength and a weakness per dimension) so the profile shows contrast."""
    from centers.models import District, Teacher, TeacherRole

    user = get_user_model().objects.filter(username="district").first()
    m = Membership.objects.filter(user=user, role=Role.DISTRICT_STAFF).first() if user else None
    district = District.objects.filter(pk=m.organisation_id).first() if m else None
    if district is None:
        return
    existing = Campaign.objects.filter(district=district, term=CAMPAIGN_TERM).first()
    if existing is not None:
        _close(existing, user)  # a demo loaded before the campaign was closed
        return
    campaign = services.start_campaign(district=district, term=CAMPAIGN_TERM, by=user)
    services.set_campaign_status(campaign=campaign, status=CampaignStatus.OPEN, by=user)
    heads = (
        Teacher.objects.filter(
            district=district,
            role__in=[TeacherRole.PRINCIPAL, TeacherRole.KINDERGARTEN_DIRECTOR],
        )
        .select_related("school")
        .order_by("school__name", "pk")
    )
    rng = random.Random(CAMPAIGN_TERM)
    dims = Dimension.values
    items = list(campaign.items.order_by("order", "pk"))
    now = timezone.now()
    planned = []  # (rating, {item id: value})
    seen = set()
    for index, head in enumerate(heads):
        if head.school_id in seen:
            continue
        seen.add(head.school_id)
        appraisee = services.add_principal(
            campaign=campaign, school=head.school, name=head.name, by=user
        )
        strong, weak = dims[index % len(dims)], dims[(index + 2) % len(dims)]
        for group, n in RATERS.items():
            count = n - 2 if index == 0 and group == RaterGroup.PARENTS else n
            links = services.issue_links(appraisee=appraisee, group=group, count=count, by=user)
            # Answered (written directly, as the rating page would: the link
            # used, the rating with only its group and day, an answer per item).
            RaterToken.objects.filter(pk__in=[link.pk for link in links]).update(used_at=now)
            for _link in links:
                base = {d: 5 if d == strong else 2 if d == weak else 4 for d in dims}
                planned.append(
                    (
                        Rating(appraisee=appraisee, group=group, submitted_on=now.date()),
                        {
                            i.pk: max(1, min(5, base[i.dimension] + rng.choice(JITTER)))
                            for i in items
                        },
                    )
                )
    Rating.objects.bulk_create([rating for rating, _a in planned])
    RatingAnswer.objects.bulk_create(
        (
            RatingAnswer(rating=rating, item_id=pk, value=value)
            for rating, answers in planned
            for pk, value in answers.items()
        ),
        batch_size=5000,
    )
    # Ten links per group left unused: the QR sheets have something to print.
    first = campaign.appraisees.order_by("school__name", "pk").first()
    if first is not None:
        for group in RaterGroup.values:
            services.issue_links(appraisee=first, group=group, count=10, by=user)
    services.compute_campaign(campaign.pk)
    _close(campaign, user)


def _close(campaign, user):
    """The term is over: the campaign closed, its scores computed now (not
    left to the worker), so the bureau's principals' profile, which reads
    closed campaigns only, shows 天河区 in ``make run``."""
    if campaign.status == CampaignStatus.CLOSED:
        return
    services.set_campaign_status(campaign=campaign, status=CampaignStatus.CLOSED, by=user)
    services.compute_campaign(campaign.pk)
