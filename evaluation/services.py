"""The rules of evaluation, called by pages, the API, tasks and the demo alike.

* **Sending**: closing a sub-project (``training.signals.subproject_closed``)
  queues ``tasks.send_close_surveys``, which opens the sub-project's
  satisfaction survey once (a unique constraint; a resend changes nothing)
  and invites each enrolled teacher with a one-time token, with a deadline
  (``EVALUATION_SURVEY_DAYS``, default 7 days) and one reminder
  (``EVALUATION_REMINDER_BEFORE_HOURS`` before the deadline, default 48).
* **Answering**: through the invitation, once: the invitation row is locked
  and marked used in the same transaction as the response; a second try is
  refused. An anonymous survey's response has no respondent and only the day.
* **Results**: per question — counts, mean (scales), distribution — and the
  satisfaction rate (share of 4 and 5 on the scale questions marked as
  satisfaction), computed by ``tasks.compute_survey_results`` after each
  answer commits; the computation is a pure function of the answers
  (running it twice stores the same result).
* **Gate**: where the survey says so (``gates_results``), a trainee sees
  their result and hours only after answering (``results_unlocked``).
* **Supervision** (督导): a visit records the course-table check, lesson
  observations and interviews; its findings may ask for rectification by a
  date; the vendor replies, the center resolves.
* **Project score**: satisfaction, attendance, results, supervision findings
  and the stage checklists, each 0–100, combined by the weights held in
  ``ScoreWeight`` (a component with nothing to measure is left out and the
  others keep their proportions); stored by a worker, idempotent. The
  vendor's record is the average of its projects' scores.
* **Principals' end-of-term evaluation**: a district's campaign per term,
  being prepared (draft: its items' wording and the rater-group weights
  editable, ``check_editable``; weights adding up to 100, ``check_weights``)
  until it opens, frozen from then on;
  raters of four groups answer one-time anonymous links: every item of the
  campaign's questionnaire (25 ``Item`` rows, five per dimension, copied from
  the default questionnaire when the campaign starts) 1–5; a dimension's
  score in a group is the mean of its items over the group's raters; a
  group's figures show only from ``min_answers`` answers; a principal's
  dimension score is the mean over the shown groups weighted by the
  campaign's ``GroupWeight`` rows; computed by a worker
  (``tasks.compute_campaign``: one aggregate query per chunk of principals,
  bulk writes), idempotent, with progress on the campaign.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.batch import SyncAnswer, answer_once, body_hash

from .models import (
    Answer,
    Appraisee,
    Audience,
    Campaign,
    CampaignStatus,
    Dimension,
    Finding,
    FindingStatus,
    GroupWeight,
    Interview,
    Invitation,
    Item,
    LinkIssue,
    Observation,
    ProjectScore,
    Question,
    QuestionKind,
    RaterGroup,
    RaterToken,
    Rating,
    RatingAnswer,
    Response,
    ScoreComponent,
    ScoreWeight,
    Section,
    Severity,
    Stage,
    StageCheck,
    SupervisionVisit,
    Survey,
    SurveyKind,
    SurveyStatus,
    VisitStatus,
)

SCALE = (1, 2, 3, 4, 5)
SATISFIED = (4, 5)
HUNDREDTH = Decimal("0.01")


def _setting(name, default):
    return getattr(settings, name, default)


def _require(user, action, obj):
    model = type(obj)
    if not model.objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not do this."))


# --- Templates -------------------------------------------------------------------------

# The satisfaction survey every closed sub-project sends (训后满意度调查).
SATISFACTION_TEMPLATE = [
    (
        "课程与内容",
        [
            ("总体而言,您对本次培训的满意程度", QuestionKind.SCALE, [], True),
            ("培训内容与您的教学实际的契合程度", QuestionKind.SCALE, [], False),
            ("授课专家的讲授水平", QuestionKind.SCALE, [], False),
        ],
    ),
    (
        "组织与服务",
        [
            ("培训组织与后勤服务", QuestionKind.SCALE, [], False),
            (
                "您最认可的培训形式(可多选)",
                QuestionKind.MULTIPLE,
                ["专题讲座", "跟岗实践", "工作坊研讨", "课例观摩", "线上研修"],
                False,
            ),
            (
                "您是否愿意推荐同事参加此类培训",
                QuestionKind.SINGLE,
                ["愿意", "不确定", "不愿意"],
                False,
            ),
        ],
    ),
    ("意见与建议", [("对本次培训的意见和建议", QuestionKind.TEXT, [], False)]),
]


def build_questions(survey, template) -> None:
    """Sections and questions of a survey from a template (a list of
    ``(section, [(text, kind, choices, satisfaction), ...])``)."""
    order = 0
    for s_order, (title, questions) in enumerate(template):
        section = Section.objects.create(survey=survey, title=title, order=s_order)
        for text, kind, choices, satisfaction in questions:
            order += 1
            Question.objects.create(
                survey=survey,
                section=section,
                order=order,
                text=text,
                kind=kind,
                choices=list(choices),
                required=kind != QuestionKind.TEXT,
                satisfaction=satisfaction,
            )


# --- Sending ---------------------------------------------------------------------------


def _invitees(subproject):
    from training.models import EnrollmentStatus

    return list(
        subproject.enrollments.filter(
            status=EnrollmentStatus.ENROLLED, teacher__user__isnull=False
        ).values_list("teacher__user_id", flat=True)
    )


def open_satisfaction_survey(*, subproject, now=None) -> Survey:
    """The satisfaction survey of a closed sub-project, opened and sent to
    its enrolled teachers once; calling it again invites only teachers not
    yet invited (a corrected roster) and changes nothing else."""
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.filter(subproject=subproject, kind=SurveyKind.SATISFACTION).first()
        if survey is None:
            try:
                with transaction.atomic():
                    survey = Survey.objects.create(
                        kind=SurveyKind.SATISFACTION,
                        title=_("Satisfaction survey: %(name)s") % {"name": subproject.name},
                        subproject=subproject,
                        center=subproject.center,
                        anonymous=True,
                        audience=Audience.ENROLLED,
                        gates_results=_setting("EVALUATION_GATE_RESULTS", True),
                        status=SurveyStatus.OPEN,
                        opens_at=now,
                        deadline=now
                        + datetime.timedelta(days=_setting("EVALUATION_SURVEY_DAYS", 7)),
                    )
                    build_questions(survey, SATISFACTION_TEMPLATE)
            except IntegrityError:  # a concurrent send made it first
                survey = Survey.objects.get(subproject=subproject, kind=SurveyKind.SATISFACTION)
        invite(survey=survey, user_ids=_invitees(subproject))
    return survey


def invite(*, survey, user_ids) -> int:
    """Invitations for the users not yet invited; returns how many are new."""
    known = set(survey.invitations.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    new = [
        Invitation(survey=survey, user_id=uid)
        for uid in dict.fromkeys(user_ids)
        if uid not in known
    ]
    Invitation.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def remind_due(now=None) -> int:
    """The one reminder: open surveys whose deadline is near get their
    unanswered invitations marked reminded (shown on the teacher's page and
    home panel); a survey is reminded once. Past the deadline, it closes."""
    now = now or timezone.now()
    before = datetime.timedelta(hours=_setting("EVALUATION_REMINDER_BEFORE_HOURS", 48))
    reminded = 0
    due = Survey.objects.filter(
        status=SurveyStatus.OPEN,
        reminded_at__isnull=True,
        deadline__lte=now + before,
        deadline__gt=now,
    )
    for survey in due:
        with transaction.atomic():
            reminded += survey.invitations.filter(
                used_at__isnull=True, reminded_at__isnull=True
            ).update(reminded_at=now)
            Survey.objects.filter(pk=survey.pk).update(reminded_at=now)
    Survey.objects.filter(status=SurveyStatus.OPEN, deadline__lte=now).update(
        status=SurveyStatus.CLOSED, updated_at=now
    )
    return reminded


# --- Answering -------------------------------------------------------------------------


def _clean_value(question, value):
    """The stored form of an answer, or ValidationError with a Chinese message."""
    empty = value in (None, "", [])
    if empty:
        if question.required:
            raise ValidationError(_("Please answer: %(q)s") % {"q": question.text}, code="required")
        return None
    if question.kind == QuestionKind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number not in SCALE:
            raise ValidationError(_("%(q)s: choose 1 to 5.") % {"q": question.text}, code="scale")
        return number
    if question.kind == QuestionKind.SINGLE:
        if value not in question.choices:
            raise ValidationError(_("%(q)s: not one of the choices.") % {"q": question.text})
        return value
    if question.kind == QuestionKind.MULTIPLE:
        values = [value] if isinstance(value, str) else list(value)
        if not values or any(v not in question.choices for v in values):
            raise ValidationError(_("%(q)s: not one of the choices.") % {"q": question.text})
        return [c for c in question.choices if c in values]
    text = str(value).strip()[:2000]
    return text or None


def clean_answers(survey, answers: dict) -> dict:
    """``{question_id: value}`` checked against the survey's questions."""
    cleaned, errors = {}, []
    given = {str(k): v for k, v in (answers or {}).items()}
    for question in survey.questions.all():
        try:
            value = _clean_value(question, given.get(str(question.pk)))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if value is not None:
            cleaned[question.pk] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def invitation_for(*, token, by=None) -> Invitation:
    """The invitation of a token; a named invitation answers only its person
    (another person, or nobody signed in, gets 'not found' — PermissionDenied)."""
    invitation = Invitation.objects.select_related("survey").filter(token=token).first()
    if invitation is None or (
        invitation.user_id is not None and (by is None or by.pk != invitation.user_id)
    ):
        raise PermissionDenied(_("This link is not valid."))
    return invitation


def answer(*, token, answers: dict, by=None, now=None) -> Response:
    """Answer a survey through a one-time invitation. A used token is refused."""
    now = now or timezone.now()
    invitation = invitation_for(token=token, by=by)
    survey = invitation.survey
    cleaned = clean_answers(survey, answers)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None:
            raise ValidationError(_("This survey has already been answered."), code="used")
        survey = Survey.objects.get(pk=survey.pk)
        if survey.status != SurveyStatus.OPEN:
            raise ValidationError(_("This survey is not open."), code="closed")
        if survey.deadline and survey.deadline < now:
            raise ValidationError(_("The deadline of this survey has passed."), code="late")
        locked.used_at = now
        locked.save(update_fields=["used_at"])
        respondent = None if survey.anonymous else locked.user_id
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey, respondent_id=respondent, submitted_on=timezone.localdate(now)
                )
        except IntegrityError as exc:
            raise ValidationError(_("You have already answered this survey.")) from exc
        Answer.objects.bulk_create(
            Answer(response=response, question_id=qid, value=value)
            for qid, value in cleaned.items()
        )
        schedule_results(survey.pk)
    return response


def schedule_results(survey_id: int) -> None:
    from .tasks import compute_survey_results

    transaction.on_commit(lambda: compute_survey_results.delay(survey_id))


# --- Results ---------------------------------------------------------------------------


def _percent(part, whole) -> str:
    if not whole:
        return "0.00"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, ROUND_HALF_UP))


def compute_results(survey) -> dict:
    """Results per question from the stored answers, and the satisfaction
    rate. Pure: the same answers give the same dict."""
    questions = list(survey.questions.all())
    counters = {q.pk: Counter() for q in questions}
    texts = {q.pk: 0 for q in questions}
    answers = Answer.objects.filter(response__survey=survey).values_list("question_id", "value")
    for qid, value in answers.iterator(chunk_size=5000):
        if qid not in counters:
            continue
        if isinstance(value, list):
            counters[qid].update(value)
        elif isinstance(value, str) and not value:
            continue
        else:
            counters[qid][value] += 1
            texts[qid] += 1
    n_responses = Response.objects.filter(survey=survey).count()
    out, satisfied, rated = [], 0, 0
    for q in questions:
        counter = counters[q.pk]
        item = {"id": q.pk, "text": q.text, "kind": q.kind}
        if q.kind == QuestionKind.SCALE:
            n = sum(counter[v] for v in SCALE)
            total = sum(v * counter[v] for v in SCALE)
            item["count"] = n
            item["mean"] = (
                str((Decimal(total) / n).quantize(HUNDREDTH, ROUND_HALF_UP)) if n else None
            )
            item["distribution"] = [
                {"value": v, "count": counter[v], "percent": _percent(counter[v], n)} for v in SCALE
            ]
            if q.satisfaction:
                satisfied += sum(counter[v] for v in SATISFIED)
                rated += n
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            base = n_responses
            item["count"] = (
                sum(counter.values()) if q.kind == QuestionKind.MULTIPLE else texts[q.pk]
            )
            item["distribution"] = [
                {"value": c, "count": counter[c], "percent": _percent(counter[c], base)}
                for c in q.choices
            ]
        else:
            item["count"] = texts[q.pk]
        out.append(item)
    return {
        "responses": n_responses,
        "invited": survey.invitations.count(),
        "satisfaction": _percent(satisfied, rated) if rated else None,
        "questions": out,
    }


def store_results(survey_id: int) -> dict:
    """Compute and store a survey's results (the worker's job)."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return {}
    results = compute_results(survey)
    Survey.objects.filter(pk=survey_id).update(results=results, results_at=timezone.now())
    if survey.subproject_id and survey.kind == SurveyKind.SATISFACTION:
        schedule_project_score(survey.subproject_id)
    return results


def text_answers(survey, question):
    """The texts answered to a text question (no respondent, in any case)."""
    return (
        Answer.objects.filter(response__survey=survey, question=question)
        .exclude(value="")
        .values_list("value", flat=True)
    )


# --- Trainees ----------------------------------------------------------------------------


def pending_invitations(user):
    return (
        Invitation.objects.restrict(user, "change")
        .filter(used_at__isnull=True, survey__status=SurveyStatus.OPEN)
        .select_related("survey", "survey__subproject")
        .order_by("survey__deadline", "pk")
    )


def locked_subprojects(user, subproject_ids) -> set:
    """The sub-projects among ``subproject_ids`` whose result and hours
    ``user`` may not see yet: a gating survey of it they are invited to is
    unanswered. One query, whatever the number of sub-projects (registered
    with ``core.registry`` as a result gate, which training's pages ask)."""
    if not getattr(user, "pk", None):
        return set()
    return set(
        Invitation.objects.filter(
            user_id=user.pk,
            survey__subproject_id__in=list(subproject_ids),
            survey__gates_results=True,
            used_at__isnull=True,
        ).values_list("survey__subproject_id", flat=True)
    )


def results_unlocked(user, subproject) -> bool:
    """Whether ``user`` may see their result and hours of ``subproject``:
    every gating survey of it they are invited to is answered."""
    return subproject.pk not in locked_subprojects(user, [subproject.pk])


def set_gate(*, survey, by, gates: bool) -> Survey:
    _require(by, "change", survey)
    if survey.gates_results != gates:
        survey.gates_results = gates
        survey.save(update_fields=["gates_results", "updated_at"])  # audited as a change
    return survey


# --- Supervision (督导) -------------------------------------------------------------------


def _created_within(by, action, obj):
    """``obj`` was just saved inside the caller's transaction: refuse (and so
    roll back) unless it lies in ``by``'s scope for ``action``."""
    if not type(obj).objects.restrict(by, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not do this."))


@transaction.atomic
def record_visit(
    *, subproject, by, visited_on, course_table_matches=None, course_table_notes="", summary=""
) -> SupervisionVisit:
    from training.models import SubProjectStatus

    if subproject.status not in (SubProjectStatus.RUNNING, SubProjectStatus.CLOSED):
        raise ValidationError(
            _("A supervision visit is recorded for a running or closed sub-project."),
            code="not_running",
        )
    visit = SupervisionVisit.objects.create(
        subproject=subproject,
        visited_on=visited_on,
        supervisor=by,
        course_table_matches=course_table_matches,
        course_table_notes=course_table_notes,
        summary=summary,
    )
    _created_within(by, "add", visit)
    return visit


def _open_visit(visit, by):
    _require(by, "change", visit)
    if visit.status == VisitStatus.CLOSED:
        raise ValidationError(_("This visit is closed."), code="closed")


def observe(*, visit, by, lesson, instructor="", rating=None, notes="") -> Observation:
    _open_visit(visit, by)
    if rating is not None and rating not in SCALE:
        raise ValidationError(_("A rating is 1 to 5."), code="rating")
    return Observation.objects.create(
        visit=visit, lesson=lesson, instructor=instructor, rating=rating, notes=notes
    )


def interview(*, visit, by, kind, notes, people=1) -> Interview:
    _open_visit(visit, by)
    if people < 1:
        raise ValidationError(_("At least one person was interviewed."), code="people")
    return Interview.objects.create(visit=visit, kind=kind, notes=notes, people=people)


@transaction.atomic
def add_finding(
    *, visit, by, text, severity=Severity.MINOR, rectification="", due_on=None
) -> Finding:
    _open_visit(visit, by)
    if rectification and due_on is None:
        raise ValidationError(_("A rectification request needs a due date."), code="due")
    if due_on is not None and due_on < visit.visited_on:
        raise ValidationError(_("The due date is before the visit."), code="due")
    finding = Finding.objects.create(
        visit=visit, text=text, severity=severity, rectification=rectification, due_on=due_on
    )
    _created_within(by, "add", finding)
    schedule_project_score(visit.subproject_id)
    return finding


def report_visit(*, visit, by) -> SupervisionVisit:
    """The visit is sent to the vendor: its findings await their reply."""
    _open_visit(visit, by)
    visit.status = VisitStatus.REPORTED
    visit.save(update_fields=["status", "updated_at"])
    return visit


def reply(*, finding, by, text, now=None) -> Finding:
    """The vendor's reply to a finding of its own sub-project."""
    _require(by, "reply", finding)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Please write the reply."), code="required")
    if finding.status == FindingStatus.RESOLVED:
        raise ValidationError(_("This finding is resolved."), code="resolved")
    finding.reply = text[:4000]
    finding.replied_at = now or timezone.now()
    finding.replied_by = by
    finding.status = FindingStatus.REPLIED
    finding.save(update_fields=["reply", "replied_at", "replied_by", "status", "updated_at"])
    return finding


def resolve(*, finding, by, now=None) -> Finding:
    """The center accepts the rectification (after the vendor's reply)."""
    _require(by, "change", finding)
    if finding.status != FindingStatus.REPLIED:
        raise ValidationError(_("The vendor has not replied yet."), code="not_replied")
    finding.status = FindingStatus.RESOLVED
    finding.resolved_at = now or timezone.now()
    finding.save(update_fields=["status", "resolved_at", "updated_at"])
    schedule_project_score(finding.visit.subproject_id)
    return finding


def close_visit(*, visit, by) -> SupervisionVisit:
    _require(by, "change", visit)
    if visit.findings.exclude(status=FindingStatus.RESOLVED).filter(due_on__isnull=False).exists():
        raise ValidationError(
            _("A rectification request of this visit is not resolved."), code="open_findings"
        )
    visit.status = VisitStatus.CLOSED
    visit.save(update_fields=["status", "updated_at"])
    return visit


def overdue_findings(user, today=None):
    """Rectification requests past their date and not resolved, in reach."""
    today = today or timezone.localdate()
    return (
        Finding.objects.restrict(user)
        .filter(due_on__lt=today)
        .exclude(status=FindingStatus.RESOLVED)
        .select_related("visit__subproject")
    )


# --- Project performance -------------------------------------------------------------

#: The checklist a sub-project starts with, per stage (items may be added).
STAGE_TEMPLATE = {
    Stage.BEFORE: ["训前需求调研", "实施方案评审", "课程表审定"],
    Stage.DURING: ["按课程表实施", "考勤记录", "督导检查"],
    Stage.AFTER: ["学员满意度调查", "成果材料归档", "结项报告"],
}
#: The weights used until the ScoreWeight rows say otherwise (also seeded by a migration).
DEFAULT_WEIGHTS = {
    ScoreComponent.SATISFACTION: Decimal("30"),
    ScoreComponent.ATTENDANCE: Decimal("20"),
    ScoreComponent.RESULTS: Decimal("20"),
    ScoreComponent.SUPERVISION: Decimal("20"),
    ScoreComponent.CHECKLIST: Decimal("10"),
}
#: Points a finding takes off the supervision component (half once resolved).
FINDING_PENALTY = {Severity.MINOR: Decimal("5"), Severity.MAJOR: Decimal("15")}


def start_checklist(*, subproject, by) -> list[StageCheck]:
    """The stage checklist from the template; items that exist are kept."""
    with transaction.atomic():
        order = 0
        for stage, items in STAGE_TEMPLATE.items():
            for item in items:
                order += 1
                StageCheck.objects.get_or_create(
                    subproject=subproject, stage=stage, item=item, defaults={"order": order}
                )
        checks = list(StageCheck.objects.filter(subproject=subproject))
        if checks:
            _require(by, "change", checks[0])
    return checks


def check_item(*, check, by, done=True, evidence="", now=None) -> StageCheck:
    _require(by, "change", check)
    evidence = (evidence or "").strip()
    if done and not evidence:
        raise ValidationError(_("A done item needs its evidence."), code="evidence")
    check.done = done
    check.evidence = evidence
    check.checked_by = by if done else None
    check.checked_at = (now or timezone.now()) if done else None
    check.save(update_fields=["done", "evidence", "checked_by", "checked_at", "updated_at"])
    schedule_project_score(check.subproject_id)
    return check


def weights() -> dict:
    stored = dict(ScoreWeight.objects.values_list("component", "weight"))
    return {c: stored.get(c, DEFAULT_WEIGHTS[c]) for c in ScoreComponent.values}


def _q(value) -> Decimal:
    return Decimal(value).quantize(HUNDREDTH, ROUND_HALF_UP)


def score_components(subproject) -> dict:
    """Each component 0–100 (None where nothing is measured yet)."""
    from django.db.models import Avg, Count, Q

    from training.models import Grade, Result

    out = dict.fromkeys(ScoreComponent.values)
    survey = Survey.objects.filter(subproject=subproject, kind=SurveyKind.SATISFACTION).first()
    if survey is not None and (survey.results or {}).get("satisfaction") is not None:
        out[ScoreComponent.SATISFACTION] = _q(survey.results["satisfaction"])
    results = Result.objects.filter(enrollment__subproject=subproject).aggregate(
        n=Count("pk"),
        attendance=Avg("attendance_rate"),
        passed=Count("pk", filter=Q(grade__in=[Grade.EXCELLENT, Grade.PASS])),
    )
    if results["n"]:
        out[ScoreComponent.ATTENDANCE] = _q(results["attendance"])
        out[ScoreComponent.RESULTS] = _q(Decimal(results["passed"]) * 100 / results["n"])
    if SupervisionVisit.objects.filter(subproject=subproject).exists():
        penalty = Decimal(0)
        for severity, status in Finding.objects.filter(visit__subproject=subproject).values_list(
            "severity", "status"
        ):
            points = FINDING_PENALTY[severity]
            penalty += points / 2 if status == FindingStatus.RESOLVED else points
        out[ScoreComponent.SUPERVISION] = _q(max(Decimal(0), Decimal(100) - penalty))
    checks = StageCheck.objects.filter(subproject=subproject).aggregate(
        n=Count("pk"), done=Count("pk", filter=Q(done=True))
    )
    if checks["n"]:
        out[ScoreComponent.CHECKLIST] = _q(Decimal(checks["done"]) * 100 / checks["n"])
    return out


def combine(components: dict, weight_of: dict) -> Decimal | None:
    """The weighted mean of the components present (pure)."""
    present = {
        c: v for c, v in components.items() if v is not None and weight_of.get(c, Decimal(0)) > 0
    }
    total = sum((weight_of[c] for c in present), Decimal(0))
    if not total:
        return None
    return _q(sum((Decimal(v) * weight_of[c] for c, v in present.items()), Decimal(0)) / total)


def store_project_score(subproject_id: int, now=None) -> ProjectScore | None:
    """Compute and store a sub-project's score (the worker's job; idempotent)."""
    from training.models import SubProject

    sub = SubProject.objects.filter(pk=subproject_id).first()
    if sub is None:
        return None
    components = score_components(sub)
    score = combine(components, weights())
    stored, _created = ProjectScore.objects.update_or_create(
        subproject=sub,
        defaults={
            "vendor_id": sub.vendor_id,
            "components": {c: (str(v) if v is not None else None) for c, v in components.items()},
            "score": score,
            "computed_at": now or timezone.now(),
        },
    )
    return stored


def schedule_project_score(subproject_id) -> None:
    if subproject_id is None:
        return
    from .tasks import compute_project_score

    transaction.on_commit(lambda: compute_project_score.delay(subproject_id))


def vendor_records(vendor_ids) -> dict:
    """``{vendor id: {"projects": n, "average": "87.50"}}``: the average
    project score of each vendor's scored sub-projects (one query), what
    procurement reads (registered with ``core.registry``)."""
    from django.db.models import Avg, Count

    rows = (
        ProjectScore.objects.filter(vendor_id__in=list(vendor_ids), score__isnull=False)
        .values("vendor_id")
        .annotate(n=Count("pk"), average=Avg("score"))
    )
    return {r["vendor_id"]: {"projects": r["n"], "average": str(_q(r["average"]))} for r in rows}


# --- Principals' end-of-term evaluation ----------------------------------------------------

#: The default questionnaire: five items per dimension (seeded as ``Item``
#: rows by migration 0005; a campaign copies the rows, not this constant).
DEFAULT_ITEMS = {
    Dimension.ETHICS: [
        "忠诚党的教育事业,依法依规办学治校",
        "廉洁自律,作风民主,处事公正",
        "关爱师生,尊重家长,乐于听取意见",
        "以身作则,敬业奉献,为人师表",
        "重视师德师风建设,校内无重大违规事件",
    ],
    Dimension.LEARNING: [
        "按要求完成校长培训与继续教育学时",
        "持续学习教育理论与政策,办学理念清晰",
        "主持或参与教育教学研究,形成研究成果",
        "深入课堂听课评课,指导教学改进",
        "在区域内交流分享办学经验",
    ],
    Dimension.SCHOOL: [
        "制定并落实学校发展规划",
        "学校管理制度健全,运行规范有序",
        "校园安全稳定,后勤保障有力",
        "形成学校办学特色与校园文化",
        "家校社协同育人,社会满意度高",
    ],
    Dimension.TEACHERS: [
        "重视教师培训,支持教师专业成长",
        "建立有效的校本研修机制",
        "教师评价与激励机制公平合理",
        "关心教师身心健康,团队凝聚力强",
        "骨干教师与青年教师培养成效明显",
    ],
    Dimension.STUDENTS: [
        "坚持立德树人,落实五育并举",
        "学生学业质量稳步提高",
        "学生体质与心理健康状况良好",
        "开展丰富的社团与实践活动",
        "关注每一位学生,因材施教",
    ],
}

DEFAULT_GROUP_WEIGHTS = {
    RaterGroup.STUDENTS: Decimal("20"),
    RaterGroup.PARENTS: Decimal("20"),
    RaterGroup.TEACHERS: Decimal("35"),
    RaterGroup.MANAGERS: Decimal("25"),
}


@transaction.atomic
def start_campaign(*, district, term, by, title="", min_answers=5, weights=None) -> Campaign:
    """A district's campaign for a term, being prepared (draft) until it
    opens: the default weights (or ``weights``, checked by
    ``check_weights``) and its own copy of the default questionnaire."""
    if min_answers < 1:
        raise ValidationError(_("The minimum number of answers is at least 1."), code="min")
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                district=district,
                term=term,
                title=title
                or _("%(district)s principals' end-of-term evaluation %(term)s")
                % {"district": district.name, "term": term},
                min_answers=min_answers,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("This district already has a campaign for this term."), code="unique"
        ) from exc
    _created_within(by, "add", campaign)
    weights = check_weights(weights) if weights is not None else DEFAULT_GROUP_WEIGHTS
    for group, weight in weights.items():
        GroupWeight.objects.create(campaign=campaign, group=group, weight=Decimal(weight))
    copy_items(campaign)
    return campaign


def default_items() -> list[Item]:
    """The default questionnaire (items without a campaign), created from
    ``DEFAULT_ITEMS`` if a flushed database lost the migration's rows."""
    items = list(Item.objects.filter(campaign__isnull=True).order_by("order", "pk"))
    if items:
        return items
    rows, order = [], 0
    for dimension, texts in DEFAULT_ITEMS.items():
        for text in texts:
            order += 1
            rows.append(Item(campaign=None, dimension=dimension, order=order, text=text))
    return Item.objects.bulk_create(rows)


def copy_items(campaign) -> list[Item]:
    """The campaign's own copy of the default questionnaire (once)."""
    if campaign.items.exists():
        return list(campaign.items.all())
    return Item.objects.bulk_create(
        Item(campaign=campaign, dimension=i.dimension, order=i.order, text=i.text)
        for i in default_items()
    )


def questionnaire(campaign) -> list:
    """``[(dimension, label, [items])]`` in the order of the dimensions."""
    by_dim: dict = {d: [] for d in Dimension.values}
    for item in campaign.items.all():
        by_dim[item.dimension].append(item)
    return [(d, label, by_dim[d]) for d, label in Dimension.choices if by_dim[d]]


def add_principal(*, campaign, school, name, by) -> Appraisee:
    _require(by, "change", campaign)
    if school.district_id != campaign.district_id:
        raise ValidationError(_("The school is not in the campaign's district."), code="district")
    try:
        with transaction.atomic():
            return Appraisee.objects.create(campaign=campaign, school=school, name=name)
    except IntegrityError as exc:
        raise ValidationError(
            _("This school's principal is already in the campaign."), code="unique"
        ) from exc


def set_campaign_status(*, campaign, status, by) -> Campaign:
    """Open or close a campaign (the district that runs it, or the bureau).
    A campaign starts being prepared (draft: its questionnaire and weights
    editable) and opens once; it may close and open again, never go back
    to preparation, and a draft does not close before it opened. A closed
    campaign refuses new answers; closing computes the final scores (after
    commit). Setting the status it has changes nothing."""
    _require(by, "change", campaign)
    if status not in CampaignStatus.values:
        raise ValidationError(_("Unknown status."), code="status")
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != status:
            if status == CampaignStatus.DRAFT:
                raise ValidationError(
                    _("An opened campaign does not go back to preparation."), code="opened"
                )
            if locked.status == CampaignStatus.DRAFT and status == CampaignStatus.CLOSED:
                raise ValidationError(_("This campaign has not opened yet."), code="draft")
            locked.status = status
            locked.save(update_fields=["status", "updated_at"])
            if status == CampaignStatus.CLOSED:
                schedule_campaign(locked.pk)
    return locked


# --- Editing a campaign before it opens ----------------------------------------------

WEIGHTS_CHANGED = audit.register_message(
    "evaluation.weights_changed", gettext_lazy("Rater-group weights changed")
)
ITEMS_CHANGED = audit.register_message(
    "evaluation.items_changed", gettext_lazy("Questionnaire items changed: %(n)s")
)
LINK_REVOKED = audit.register_message(
    "evaluation.link_revoked", gettext_lazy("Unused rater link revoked: %(principal)s, %(group)s")
)
#: The most an item's text may hold (``Item.text``).
ITEM_TEXT_MAX = 300


def check_editable(campaign) -> None:
    """The questionnaire and the weights change only while the campaign is
    being prepared: once opened, raters answer these items and their
    answers are weighted by these weights, so both are frozen (for good:
    an opened campaign never goes back to preparation)."""
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(
            _("The questionnaire and the weights are frozen once the campaign has opened."),
            code="frozen",
        )


def check_weights(weights) -> dict:
    """``{group: Decimal}`` for every rater group, each 0 to 100 with at most
    two decimals, adding up to 100 (a score is the weighted mean over the
    groups shown, so the sum is what a reader compares the weights with);
    ValidationError listing every problem in Chinese otherwise."""
    if not isinstance(weights, dict):
        raise ValidationError(_("Give a weight for each rater group."), code="weights")
    errors, clean = [], {}
    unknown = sorted(str(g) for g in weights if g not in RaterGroup.values)
    if unknown:
        errors.append(_("Unknown rater group: %(groups)s") % {"groups": ", ".join(unknown)})
    for group, label in RaterGroup.choices:
        raw = weights.get(group)
        if raw is None or str(raw).strip() == "":
            errors.append(_("%(group)s: enter a weight.") % {"group": label})
            continue
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            value = None
        if (
            value is None
            or not value.is_finite()
            or not Decimal(0) <= value <= Decimal(100)
            or value != value.quantize(HUNDREDTH)
        ):
            errors.append(
                _("%(group)s: a weight is a number from 0 to 100 with at most two decimals.")
                % {"group": label}
            )
            continue
        clean[group] = value.quantize(HUNDREDTH)
    if not errors and sum(clean.values()) != 100:
        errors.append(
            _("The weights add up to %(total)s; they must add up to 100.")
            % {"total": f"{sum(clean.values()).normalize():f}"}
        )
    if errors:
        raise ValidationError(errors, code="weights")
    return clean


def _locked_draft(campaign, by) -> Campaign:
    _require(by, "change", campaign)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    check_editable(locked)
    return locked


def set_weights(*, campaign, weights, by) -> dict:
    """The campaign's rater-group weights (``check_weights``), before it
    opens; returns ``{group: Decimal}``. Audited on the campaign."""
    clean = check_weights(weights)
    with transaction.atomic():
        locked = _locked_draft(campaign, by)
        existing = {w.group: w for w in locked.weights.all()}
        changes = {}
        for group, value in clean.items():
            row = existing.get(group)
            if row is None:
                GroupWeight.objects.create(campaign=locked, group=group, weight=value)
                changes[group] = [None, str(value)]
            elif row.weight != value:
                changes[group] = [str(row.weight), str(value)]
                row.weight = value
                row.save(update_fields=["weight"])
        if changes:
            audit.record(
                audit.AuditAction.UPDATE,
                locked,
                actor=by,
                changes={"weights": changes},
                key=WEIGHTS_CHANGED,
            )
    return clean


def edit_items(*, campaign, texts: dict, by) -> list[Item]:
    """New wording for items of the campaign's questionnaire, before it
    opens: ``{item id: text}`` (items not named keep theirs). The structure
    stays: five items per dimension in their places, so campaigns' profiles
    compare dimension by dimension. Each text is required, at most 300
    characters, and no two items of the questionnaire read the same.
    Returns the questionnaire's items; audited on the campaign."""
    with transaction.atomic():
        locked = _locked_draft(campaign, by)
        items = list(locked.items.order_by("order", "pk"))
        by_pk = {str(i.pk): i for i in items}
        errors, changed, changes = [], [], {}
        given = {str(k): v for k, v in (texts or {}).items()}
        unknown = sorted(k for k in given if k not in by_pk)
        if unknown:
            errors.append(
                _("Not an item of this questionnaire: %(items)s") % {"items": ", ".join(unknown)}
            )
        final = {}
        for item in items:
            text = given.get(str(item.pk), item.text)
            text = " ".join(str(text if text is not None else "").split())
            if not text:
                errors.append(_("Item %(n)s: enter its text.") % {"n": item.order})
            elif len(text) > ITEM_TEXT_MAX:
                errors.append(
                    _("Item %(n)s: at most %(max)s characters.")
                    % {"n": item.order, "max": ITEM_TEXT_MAX}
                )
            final[item.pk] = text
        seen = {}
        for item in items:
            text = final[item.pk]
            if text and text in seen:
                errors.append(
                    _("Items %(first)s and %(second)s read the same.")
                    % {"first": seen[text], "second": item.order}
                )
            seen.setdefault(text, item.order)
        if errors:
            raise ValidationError(errors, code="items")
        for item in items:
            if final[item.pk] != item.text:
                changes[str(item.order)] = [item.text, final[item.pk]]
                item.text = final[item.pk]
                changed.append(item)
        if changed:
            Item.objects.bulk_update(changed, ["text"])
            audit.record(
                audit.AuditAction.UPDATE,
                locked,
                actor=by,
                changes={"items": changes},
                key=ITEMS_CHANGED,
                params={"n": len(changed)},
            )
    return items


def edit_campaign(*, campaign, weights, texts, by) -> None:
    """The edit page's one save: the weights and the items' wording
    together, all or nothing, every problem of both named at once."""
    errors = []
    with transaction.atomic():
        for change in (
            lambda: set_weights(campaign=campaign, weights=weights, by=by),
            lambda: edit_items(campaign=campaign, texts=texts, by=by),
        ):
            try:
                with transaction.atomic():
                    change()
            except ValidationError as exc:
                if getattr(exc, "code", None) == "frozen":
                    raise
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)


# --- Rater links -----------------------------------------------------------------------


def issue_links(*, appraisee, group, count, by) -> list[RaterToken]:
    """``count`` one-time links for raters of ``group`` (printed as QR codes)."""
    _require(by, "change", appraisee.campaign)
    if group not in RaterGroup.values:
        raise ValidationError(_("Unknown rater group."), code="group")
    if not 1 <= count <= 500:
        raise ValidationError(_("Issue 1 to 500 links at a time."), code="count")
    return RaterToken.objects.bulk_create(
        RaterToken(appraisee=appraisee, group=group) for _i in range(count)
    )


def issue_links_once(*, appraisee, group, count, by, key, url_of) -> SyncAnswer:
    """``issue_links`` under an ``Idempotency-Key`` (the API's retries, the
    page's resubmitted form): the first request issues and stores its
    answer, ``{"links": [...], "revoked": []}`` with each link's id, group,
    token and URL (``url_of(path)``); a resend with the same body issues none
    and answers what is valid now (``links_now``): the batch's links still
    there, a used one without its token, the revoked ones' ids in
    ``revoked``. The key with another request is refused (422). Keys are per
    district; the request's fingerprint is its principal, group and count
    (the API's body and the page's form alike), so the same key for another
    principal is refused."""
    _require(by, "change", appraisee.campaign)
    campaign = appraisee.campaign

    def write():
        links = issue_links(appraisee=appraisee, group=group, count=count, by=by)
        return SyncAnswer(
            201,
            {
                "principal": appraisee.pk,
                "campaign": campaign.pk,
                "group": group,
                "links": [link_row(link, url_of) for link in links],
                "revoked": [],
            },
        )

    answer = answer_once(
        LinkIssue,
        district=campaign.district,
        key=key,
        digest=body_hash({"principal": appraisee.pk, "group": group, "count": count}),
        rows=count,
        user=by,
        write=write,
    )
    if answer.replayed and answer.status == 201:
        return links_now(answer, url_of)
    return answer


def links_now(answer, url_of=None) -> SyncAnswer:
    """A stored issue answer brought up to date, so a replay never hands out
    a token that was revoked or used since (the stored text keeps them):
    one query for the batch's links as they are now."""
    ids = [row["id"] for row in answer.body["links"]]
    now = RaterToken.objects.in_bulk(ids)
    return SyncAnswer(
        answer.status,
        {
            **answer.body,
            "links": [link_row(now[pk], url_of) for pk in ids if pk in now],
            "revoked": [pk for pk in ids if pk not in now],
        },
        replayed=True,
    )


def link_row(link, url_of=None) -> dict:
    """A link as the API shows it to someone who may print it: the token and
    URL only while unused (as ``RaterLinkSerializer``)."""
    from django.urls import reverse

    unused = link.used_at is None
    path = reverse("evaluation:rate", args=[link.token]) if unused else None
    return {
        "id": link.pk,
        "principal": link.appraisee_id,
        "group": link.group,
        "used": not unused,
        "token": link.token if unused else None,
        "url": (url_of(path) if url_of else path) if unused else None,
    }


def revoke_link(*, link, by) -> None:
    """An unused link withdrawn (a lost sheet, too many printed): the row
    goes, so the token opens nothing. A used link stays: its answer is
    counted and the link is what refuses a second one. Revoking a link
    already gone changes nothing. Audited on the campaign (no token)."""
    _require(by, "delete", link)
    with transaction.atomic():
        locked = (
            RaterToken.objects.select_for_update()
            .select_related("appraisee__campaign")
            .filter(pk=link.pk)
            .first()
        )
        if locked is None:
            return
        if locked.used_at is not None:
            raise ValidationError(
                _("This link has been used; a used link cannot be revoked."), code="used"
            )
        locked.delete()
        audit.record(
            audit.AuditAction.UPDATE,
            locked.appraisee.campaign,
            actor=by,
            changes={"revoked_link": {"principal": locked.appraisee_id, "group": locked.group}},
            key=LINK_REVOKED,
            params={
                "principal": locked.appraisee.name,
                "group": str(RaterGroup(locked.group).label),
            },
        )


def rater_token(token) -> RaterToken:
    found = (
        RaterToken.objects.select_related("appraisee__campaign", "appraisee__school")
        .filter(token=token)
        .first()
    )
    if found is None:
        raise PermissionDenied(_("This link is not valid."))
    return found


def rate(*, token, answers: dict, now=None) -> Rating:
    """One rater answers through a one-time link: ``{item id: 1..5}`` for
    every item of the campaign's questionnaire; a used link is refused. The
    rating keeps only the group and the day, its answers only the item and
    the value."""
    now = now or timezone.now()
    link = rater_token(token)
    given = {str(k): v for k, v in (answers or {}).items()}
    clean, errors = {}, []
    for item in link.appraisee.campaign.items.all():
        try:
            value = int(given.get(str(item.pk)))
        except (TypeError, ValueError):
            value = None
        if value not in SCALE:
            errors.append(_("%(q)s: choose 1 to 5.") % {"q": item.text})
        clean[item.pk] = value
    if errors:
        raise ValidationError(errors)
    if not clean:
        raise ValidationError(_("This evaluation has no questionnaire."), code="items")
    with transaction.atomic():
        locked = RaterToken.objects.select_for_update().get(pk=link.pk)
        if locked.used_at is not None:
            raise ValidationError(_("This link has already been used."), code="used")
        status = Campaign.objects.filter(pk=link.appraisee.campaign_id).values_list(
            "status", flat=True
        )[0]
        if status == CampaignStatus.DRAFT:
            raise ValidationError(_("This evaluation has not opened yet."), code="draft")
        if status != CampaignStatus.OPEN:
            raise ValidationError(_("This evaluation is closed."), code="closed")
        locked.used_at = now
        locked.save(update_fields=["used_at"])
        rating = Rating.objects.create(
            appraisee_id=link.appraisee_id, group=link.group, submitted_on=timezone.localdate(now)
        )
        RatingAnswer.objects.bulk_create(
            RatingAnswer(rating=rating, item_id=pk, value=value) for pk, value in clean.items()
        )
        schedule_campaign(link.appraisee.campaign_id)
    return rating


def start_computation(*, campaign, by) -> None:
    """The district starts computing its campaign's scores (a worker; the
    page shows the progress from 0 to 100)."""
    _require(by, "change", campaign)
    Campaign.objects.filter(pk=campaign.pk).update(progress=0)
    schedule_campaign(campaign.pk)


def unused_links(appraisee, group):
    """The links of ``group`` not used yet (the QR sheet prints them)."""
    return list(
        RaterToken.objects.filter(appraisee=appraisee, group=group, used_at__isnull=True).order_by(
            "pk"
        )
    )


def link_counts(appraisees) -> list:
    """``[(appraisee, [(group, label, issued, used)])]`` in one query: how
    many links of each rater group were issued and used."""
    counts = {}
    for pk, group, issued, used in (
        RaterToken.objects.filter(appraisee__in=appraisees)
        .values("appraisee_id", "group")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False)))
        .values_list("appraisee_id", "group", "issued", "used")
    ):
        counts[pk, group] = (issued, used)
    return [
        (a, [(g, label, *counts.get((a.pk, g), (0, 0))) for g, label in RaterGroup.choices])
        for a in appraisees
    ]


def schedule_campaign(campaign_id: int) -> None:
    from .tasks import compute_campaign

    transaction.on_commit(lambda: compute_campaign.delay(campaign_id))


def appraisee_scores(groups_in: dict, weight_of: dict, min_answers: int) -> dict:
    """Pure: the scores of one principal from its aggregated answers,
    ``{group: {"n": raters, "dims": {dimension: (sum of answers, answers)}}}``.

    A dimension's score in a group is the mean of its items' answers over
    the group's raters (each rater answers every item, so this is also the
    mean of the raters' dimension means); a group under ``min_answers``
    raters shows only its count; a dimension's score is the mean over the
    shown groups weighted by ``weight_of``; the score is the mean of the
    dimensions that have one."""
    groups = {}
    for g in RaterGroup.values:
        item = groups_in.get(g) or {}
        n = item.get("n", 0)
        shown = n >= min_answers
        sums = item.get("dims") or {}
        groups[g] = {
            "n": n,
            "shown": shown,
            "dims": {
                d: str(_q(Decimal(sums[d][0]) / sums[d][1])) if sums.get(d) else None
                for d in Dimension.values
            }
            if shown
            else None,
        }
    dims = {}
    for d in Dimension.values:
        total = weight = Decimal(0)
        for g, item in groups.items():
            w = weight_of.get(g, Decimal(0))
            if item["shown"] and w > 0 and item["dims"][d] is not None:
                total += Decimal(item["dims"][d]) * w
                weight += w
        dims[d] = str(_q(total / weight)) if weight else None
    present = [Decimal(v) for v in dims.values() if v is not None]
    score = str(_q(sum(present) / len(present))) if present else None
    return {"groups": groups, "dims": dims, "score": score}


def aggregate_answers(appraisee_ids) -> dict:
    """``{appraisee id: {group: {"n": raters, "dims": {d: (sum, count)}}}}``
    in two set-based queries: the raters per group, and the sum and count
    of the answers per group and dimension."""
    from django.db.models import Sum

    out: dict = {pk: {} for pk in appraisee_ids}
    for pk, group, n in (
        Rating.objects.filter(appraisee_id__in=appraisee_ids)
        .order_by()
        .values_list("appraisee_id", "group")
        .annotate(n=Count("pk"))
    ):
        out[pk][group] = {"n": n, "dims": {}}
    for pk, group, dim, total, count in (
        RatingAnswer.objects.filter(rating__appraisee_id__in=appraisee_ids)
        .order_by()
        .values_list("rating__appraisee_id", "rating__group", "item__dimension")
        .annotate(total=Sum("value"), count=Count("pk"))
    ):
        out[pk].setdefault(group, {"n": 0, "dims": {}})["dims"][dim] = (total, count)
    return out


def compute_campaign(campaign_id: int, now=None, chunk=250) -> int:
    """Every principal's scores of a campaign, stored; progress saved as it
    goes. Per chunk of principals: the aggregate queries, the pure scores,
    one bulk update. Idempotent: a pure function of the answers, weights
    and minimum."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    weight_of = dict(campaign.weights.values_list("group", "weight"))
    ids = list(campaign.appraisees.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        aggregated = aggregate_answers(part)
        rows = []
        for pk in part:
            result = appraisee_scores(aggregated[pk], weight_of, campaign.min_answers)
            rows.append(
                Appraisee(
                    pk=pk,
                    scores=result,
                    score=Decimal(result["score"]) if result["score"] else None,
                )
            )
        with transaction.atomic():
            Appraisee.objects.bulk_update(rows, ["scores", "score"])
            done += len(part)
            Campaign.objects.filter(pk=campaign_id).update(progress=done * 100 // len(ids))
    Campaign.objects.filter(pk=campaign_id).update(progress=100, computed_at=now or timezone.now())
    return done


def district_profile(campaign) -> dict:
    """The district's profile (图谱) from stored scores, in one query of
    plain rows (no model instances: a city campaign has 1,700 principals):
    one row per school, ``{"appraisee", "school", "school_name", "name",
    "dims", "score"}`` (the heat map's cells), and each dimension's
    distribution over score bands."""
    from django.db.models.fields.json import KeyTransform

    rows = list(
        campaign.appraisees.order_by("school__name", "pk")
        .values("school_id", "school__name", "name", "score", dims=KeyTransform("dims", "scores"))
        .annotate(appraisee=F("pk"))
    )
    for row in rows:
        row["school"] = row.pop("school_id")
        row["school_name"] = row.pop("school__name")
        row["dims"] = row["dims"] or {}
    bands = [("< 3", None, 3.0), ("3–4", 3.0, 4.0), ("≥ 4", 4.0, None)]
    distribution = {}
    for d in Dimension.values:
        counts = [0] * len(bands)
        for row in rows:
            value = row["dims"].get(d)
            if value is None:
                continue
            v = float(value)  # two decimals: exact against the whole-number bounds
            for i, (_label, low, high) in enumerate(bands):
                if (low is None or v >= low) and (high is None or v < high):
                    counts[i] += 1
        distribution[d] = [
            {"band": label, "count": c} for (label, _lo, _hi), c in zip(bands, counts, strict=True)
        ]
    return {"rows": rows, "distribution": distribution, "dimensions": Dimension.choices}


#: Principals a page of the campaign's page shows (tables, link forms, heat map).
PROFILE_PAGE_SIZE = 25
BANDS = [("< 3", None, 3), ("3–4", 3, 4), ("≥ 4", 4, None)]


def distribution(campaign) -> dict:
    """Each dimension's principals per score band, counted by the database
    from the stored scores in one query (the same as ``district_profile``'s)."""
    from django.db.models import FloatField
    from django.db.models.fields.json import KeyTextTransform
    from django.db.models.functions import Cast

    values = {
        f"v_{d}": Cast(KeyTextTransform(d, "scores__dims"), FloatField()) for d in Dimension.values
    }
    counts = {}
    for d in Dimension.values:
        for i, (_label, low, high) in enumerate(BANDS):
            cond = Q(**{f"v_{d}__isnull": False})
            if low is not None:
                cond &= Q(**{f"v_{d}__gte": low})
            if high is not None:
                cond &= Q(**{f"v_{d}__lt": high})
            counts[f"{d}_{i}"] = Count("pk", filter=cond)
    found = campaign.appraisees.order_by().annotate(**values).aggregate(**counts)
    return {
        d: [{"band": label, "count": found[f"{d}_{i}"]} for i, (label, _l, _h) in enumerate(BANDS)]
        for d in Dimension.values
    }


def profile_page(campaign, number, size=PROFILE_PAGE_SIZE):
    """One page of the district profile for the campaign's page, whatever
    the campaign's size: ``(profile, page, appraisees)`` — the profile's
    distribution covers every principal (counted by the database), its
    ``rows`` (the heat map's cells) and ``appraisees`` (model rows for the
    tables and link forms) are the page's. Four queries."""
    from django.core.paginator import Paginator

    page = Paginator(
        campaign.appraisees.select_related("school")
        .only("pk", "campaign", "name", "scores", "score", "school", "school__name")
        .order_by("school__name", "pk"),
        size,
    ).get_page(number)
    appraisees = list(page.object_list)
    rows = [
        {
            "appraisee": a.pk,
            "school": a.school_id,
            "school_name": a.school.name,
            "name": a.name,
            "dims": (a.scores or {}).get("dims") or {},
            "score": a.score,
        }
        for a in appraisees
    ]
    profile = {
        "rows": rows,
        "distribution": distribution(campaign),
        "dimensions": Dimension.choices,
    }
    return profile, page, appraisees
