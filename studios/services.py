"""The rules of studios, called by pages, the API, the demo and commands.

Who may act is decided by ``core.permissions`` (pages and API narrow every
queryset with ``restrict``); the rules here are about the work itself: the
managing center a studio is routed to, who may be in a studio, the selection
round's steps (apply → center review → bureau decision → published list), the
plans' draft → submitted → approved steps, attendance and mentoring posting
hours once per teacher (``credits.services.award_hours`` with the activity
keys ``studios.activity:<id>`` and ``studios.mentoring:<pair>:<year>``), the
"≥ 3 mentees a year" rule read from ``MentoringRule`` rows, and evaluations
whose weighted total gives 优秀 / 合格 / 不合格.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import SchoolStage, TargetGroup, Teacher, TrainingKind
from centers.services import route_mandate
from core import audit
from core.models import AuditAction, Membership
from core.permissions import can
from credits.models import CreditActivity, CreditEntry, Source
from credits.services import award_hours, award_hours_bulk, reverse_entry

from .models import (
    Activity,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Attendance,
    Criterion,
    Evaluation,
    EvaluationKind,
    EvaluationScheme,
    EvaluationStatus,
    MentoringPair,
    MentoringRule,
    PersonRole,
    PlanStatus,
    Result,
    RoundStatus,
    Score,
    SelectionRound,
    StudioKind,
    StudioPerson,
)
from .permissions import DECIDE, EVALUATE, MANAGE, PLACE_ROLES, REVIEW

HOURS_CATEGORY = "subject"
TENTH = Decimal("0.1")
DEFAULT_MIN_MENTEES = 3


def _today():
    return timezone.localdate()


def _refuse(message, field=None, code="invalid"):
    raise ValidationError({field: message} if field else message, code=code)


# --- Routing -----------------------------------------------------------------

PRINCIPAL_KINDS = (StudioKind.FAMOUS_PRINCIPAL, StudioKind.FAMOUS_KG_DIRECTOR)


def route_studio(*, kind, stage, mandates=None):
    """The municipal center that manages a studio, from the centers' mandates
    (``centers.services.route_mandate`` with the training kind "studio"):
    kindergarten studios go to the 幼儿园 center, vocational ones to the 中职
    center, principals' studios to the 中小学 center, teachers' and experts'
    studios to the 研训 center. Raises ValidationError when no mandate covers
    it (the mandates are not loaded)."""
    group = TargetGroup.PRINCIPALS if kind in PRINCIPAL_KINDS else TargetGroup.TEACHERS
    mandate = route_mandate(
        training_kind=TrainingKind.STUDIO, target_group=group, stage=stage, mandates=mandates
    )
    if mandate is None:
        _refuse(_("No center's mandate covers this studio: load the mandates first."))
    return mandate.center


def _kind_fits_stage(kind, stage) -> bool:
    if kind == StudioKind.FAMOUS_KG_DIRECTOR:
        return stage == SchoolStage.KINDERGARTEN
    return True


def save_studio(*, studio, by=None):
    """Create or change a studio: the cycle end follows from the start when
    empty, and a studio without a managing center is routed to one."""
    if not _kind_fits_stage(studio.kind, studio.stage):
        _refuse(_("A famous kindergarten director's studio is for kindergartens."), "stage")
    if not studio.managing_center_id:
        studio.managing_center = route_studio(kind=studio.kind, stage=studio.stage)
    studio.full_clean(exclude=["managing_center"])
    studio.save()
    return studio


# --- People ------------------------------------------------------------------


def current_host(studio, on=None) -> StudioPerson | None:
    return (
        StudioPerson.objects.current(on or _today())
        .filter(studio=studio, role=PersonRole.HOST)
        .select_related("teacher")
        .first()
    )


def add_person(*, studio, teacher, role, starts_on=None, by=None, application=None):
    """Put a teacher in a studio as host, member or network learner. A studio
    has one host at a time, a teacher hosts one studio at a time, and nobody
    holds two places in one studio."""
    starts_on = starts_on or _today()
    current = StudioPerson.objects.current(starts_on)
    if role == PersonRole.HOST:
        if current.filter(studio=studio, role=PersonRole.HOST).exists():
            _refuse(_("The studio already has a host."), "teacher")
        if current.filter(teacher=teacher, role=PersonRole.HOST).exists():
            _refuse(_("This teacher already hosts another studio."), "teacher")
    if StudioPerson.objects.filter(studio=studio, teacher=teacher, ends_on__isnull=True).exists():
        _refuse(_("This teacher is already in the studio."), "teacher")
    person = StudioPerson(
        studio=studio, teacher=teacher, role=role, starts_on=starts_on, application=application
    )
    try:
        with transaction.atomic():
            person.save()
            _grant_role(person)
    except IntegrityError as exc:  # a concurrent request got there first
        raise ValidationError(_("This teacher is already in the studio."), code="taken") from exc
    return person


def set_ladder_step(*, person, ladder_step, by=None) -> StudioPerson:
    """The host's step of the centers' career ladders (``ladder:step``, e.g.
    ``municipal-teacher:studio_host``); "" clears it. Only a host has one;
    an unknown step is refused."""
    _check(by, MANAGE, person.studio, _("The managing center manages the studio's people."))
    person.ladder_step = (ladder_step or "").strip()
    person.full_clean(
        exclude=[f.name for f in StudioPerson._meta.fields if f.name != "ladder_step"]
    )
    person.save(update_fields=["ladder_step", "updated_at"])
    return person


def _grant_role(person) -> None:
    """The teacher's account (if any) holds the studio role of the place for
    as long as the place lasts."""
    user_id = person.teacher.user_id
    if user_id is None:
        return
    Membership.objects.get_or_create(
        user_id=user_id,
        role=PLACE_ROLES[person.role],
        organisation_id=person.studio_id,
        starts_on=person.starts_on,
        defaults={"ends_on": person.ends_on, "note": str(person.studio)[:200]},
    )


def end_person(*, person, ends_on=None, by=None):
    """A person leaves the studio on ``ends_on`` (today by default)."""
    ends_on = ends_on or _today()
    if ends_on < person.starts_on:
        _refuse(_("A place cannot end before it starts."), "ends_on")
    with transaction.atomic():
        person.ends_on = ends_on
        person.save(update_fields=["ends_on", "updated_at"])
        if person.teacher.user_id is not None:
            Membership.objects.filter(
                user_id=person.teacher.user_id,
                role=PLACE_ROLES[person.role],
                organisation_id=person.studio_id,
                ends_on__isnull=True,
            ).update(ends_on=ends_on)
    return person


# --- Selection -----------------------------------------------------------------


def _check(by, action, studio, message):
    """``by`` (when a person acts, not the demo or a command) may ``action``
    the studio (``permissions``), or PermissionDenied with ``message``."""
    if by is not None and not can(by, action, studio):
        raise PermissionDenied(message)


def submit_application(*, round, teacher, statement="", documents=(), by=None):
    """A teacher applies to an open round with documents ``[(name, file)]``.
    A teacher applies once per round; a host round refuses someone who
    already hosts a studio."""
    if round.status != RoundStatus.OPEN:
        _refuse(_("The round is not open for applications."), code="closed")
    if _today() > round.closes_on:
        _refuse(_("Applications closed on %(day)s.") % {"day": round.closes_on}, code="closed")
    if round.role == PersonRole.HOST and (
        StudioPerson.objects.current().filter(teacher=teacher, role=PersonRole.HOST).exists()
    ):
        _refuse(_("This teacher already hosts a studio."), "teacher")
    if Application.objects.filter(round=round, teacher=teacher).exists():
        _refuse(_("This teacher has already applied to this round."), "teacher")
    with transaction.atomic():
        application = Application.objects.create(round=round, teacher=teacher, statement=statement)
        for name, upload in documents:
            document = ApplicationDocument(application=application, name=name[:200], file=upload)
            document.full_clean(exclude=["application"])
            document.save()
    return application


def close_round(*, round, by=None):
    """Stop taking applications: the managing center reviews them now."""
    if round.status != RoundStatus.OPEN:
        _refuse(_("Only an open round can be closed."), code="state")
    round.status = RoundStatus.REVIEWING
    round.save(update_fields=["status", "updated_at"])
    return round


def review_application(*, application, recommend: bool, note="", by=None):
    """The managing center recommends an application (or not)."""
    if application.round.status == RoundStatus.PUBLISHED:
        _refuse(_("The list is already published."), code="state")
    if application.status not in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.RECOMMENDED,
        ApplicationStatus.NOT_RECOMMENDED,
    ):
        _refuse(_("The bureau has already decided on this application."), code="state")
    _check(by, REVIEW, application.round.studio, _("The managing center reviews applications."))
    if not recommend and not note.strip():
        _refuse(_("Say why the application is not recommended."), "review_note")
    application.status = (
        ApplicationStatus.RECOMMENDED if recommend else ApplicationStatus.NOT_RECOMMENDED
    )
    application.review_note = note.strip()[:300]
    application.reviewed_by = by
    application.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
    return application


def decide_application(*, application, approve: bool, note="", by=None):
    """The bureau selects a reviewed application (or not); at most the
    round's places are selected."""
    round = application.round
    _check(by, DECIDE, round.studio, _("The bureau decides the selection."))
    if round.status == RoundStatus.PUBLISHED:
        _refuse(_("The list is already published."), code="state")
    if application.status == ApplicationStatus.SUBMITTED:
        _refuse(_("The managing center has not reviewed this application yet."), code="state")
    if approve:
        selected = (
            round.applications.filter(status=ApplicationStatus.APPROVED)
            .exclude(pk=application.pk)
            .count()
        )
        if selected >= round.places:
            _refuse(
                _("All %(n)s places of the round are taken.") % {"n": round.places},
                code="full",
            )
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    application.decision_note = note.strip()[:300]
    application.decided_by = by
    application.save(update_fields=["status", "decision_note", "decided_by", "updated_at"])
    return application


def publish_round(*, round, by=None, on=None):
    """Publish the list of those selected: every application must be decided;
    each one selected takes their place in the studio from ``on``."""
    on = on or _today()
    _check(by, DECIDE, round.studio, _("The bureau publishes the list."))
    with transaction.atomic():
        round = SelectionRound.objects.select_for_update().get(pk=round.pk)
        if round.status == RoundStatus.PUBLISHED:
            _refuse(_("The list is already published."), code="state")
        undecided = round.applications.exclude(
            status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED]
        ).count()
        if undecided:
            _refuse(
                _("%(n)s applications wait for a decision.") % {"n": undecided}, code="undecided"
            )
        approved = list(
            round.applications.filter(status=ApplicationStatus.APPROVED).select_related("teacher")
        )
        for application in approved:
            add_person(
                studio=round.studio,
                teacher=application.teacher,
                role=round.role,
                starts_on=on,
                by=by,
                application=application,
            )
        round.status = RoundStatus.PUBLISHED
        round.published_on = on
        round.save(update_fields=["status", "published_on", "updated_at"])
    return approved


# --- Plans -------------------------------------------------------------------


def submit_plan(*, plan, by=None):
    if plan.status != PlanStatus.DRAFT:
        _refuse(_("Only a draft can be submitted."), code="state")
    if not plan.body.strip():
        _refuse(_("Write the plan before submitting it."), "body")
    plan.status = PlanStatus.SUBMITTED
    plan.return_note = ""
    plan.save(update_fields=["status", "return_note", "updated_at"])
    return plan


def approve_plan(*, plan, by=None):
    if plan.status != PlanStatus.SUBMITTED:
        _refuse(_("Only a submitted plan can be approved."), code="state")
    plan.status = PlanStatus.APPROVED
    plan.approved_by = by
    plan.approved_at = timezone.now()
    plan.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return plan


def return_plan(*, plan, note, by=None):
    """Send a submitted plan back to draft, saying why."""
    if plan.status != PlanStatus.SUBMITTED:
        _refuse(_("Only a submitted plan can be sent back."), code="state")
    if not (note or "").strip():
        _refuse(_("Say what needs to change."), "return_note")
    plan.status = PlanStatus.DRAFT
    plan.return_note = note.strip()[:300]
    plan.save(update_fields=["status", "return_note", "updated_at"])
    return plan


# --- Hours -------------------------------------------------------------------


def _post_once(*, teacher, hours, key, title, earned_on, by, current=None):
    """Make the ledger hold ``hours`` for (teacher, key) exactly once: award
    when nothing counts yet; when a different figure counts, reverse it and
    award the new one; the same figure changes nothing."""
    if current is not None:
        if current.hours == hours:
            return False
        reverse_entry(entry=current, reason=_("Studio hours corrected"), by=by)
    award = award_hours(
        teacher=teacher,
        hours=hours,
        category=HOURS_CATEGORY,
        source=Source.STUDIO,
        earned_on=earned_on,
        registered_by=by,
        activity_key=key,
        title=title,
    )
    return award.created


def _counting_rows(key):
    """The activity key's ``CreditActivity`` rows that have an entry counting,
    with it. Read from the ledger's side: a counting entry carries the
    activity's key, so the entries of the key (the partial index
    ``credit_entry_activity``, through ``_keyed``) name the rows by their unique
    ``entry_id``; the key alone has no index on the activities (a sequential
    scan of them all), and one there would cost every sync's writes."""
    return CreditActivity.objects.filter(
        key=key, entry__in=_keyed([key]).values("pk")
    ).select_related("entry")


def _counting_entries(key) -> dict[int, CreditEntry]:
    """{teacher id: the entry that counts for the activity key}."""
    return {row.teacher_id: row.entry for row in _counting_rows(key)}


def _award_new(teachers, *, hours, key, title, earned_on, by) -> int:
    """Award ``hours`` for ``key`` to teachers for whom nothing counts yet, in
    a fixed number of queries (``award_hours_bulk``: an activity already
    counted for a teacher is left as it is)."""
    if not teachers:
        return 0
    outcomes = award_hours_bulk(
        awards=[
            {
                "teacher": teacher,
                "hours": hours,
                "category": HOURS_CATEGORY,
                "source": Source.STUDIO,
                "earned_on": earned_on,
                "activity_key": key,
                "title": title,
            }
            for teacher in teachers
        ],
        registered_by=by,
    )
    return sum(1 for o in outcomes if o["status"] == "created")


def sync_activity_hours(*, activity, by=None) -> dict:
    """Bring the ledger in line with the activity's attendance: everyone who
    attended holds its hours once (``studios.activity:<id>``), anyone whose
    attendance was withdrawn has their entry reversed, a changed figure is
    reversed and posted anew. Safe to run again: it then writes nothing."""
    key = activity.activity_key
    counting = _counting_entries(key)
    attended = {
        a.teacher_id: a.teacher
        for a in activity.attendance.filter(attended=True).select_related("teacher")
    }
    title = str(activity)[:200]
    changed = [
        attended[t]
        for t, entry in counting.items()
        if t in attended and entry.hours != activity.hours
    ]
    for teacher in changed:
        _post_once(
            teacher=teacher,
            hours=activity.hours,
            key=key,
            title=title,
            earned_on=activity.held_on,
            by=by,
            current=counting[teacher.pk],
        )
    posted = _award_new(
        [t for pk, t in attended.items() if pk not in counting],
        hours=activity.hours,
        key=key,
        title=title,
        earned_on=activity.held_on,
        by=by,
    )
    withdrawn = [entry for t, entry in counting.items() if t not in attended]
    for entry in withdrawn:
        reverse_entry(entry=entry, reason=_("Attendance withdrawn"), by=by)
    return {"posted": posted + len(changed), "reversed": len(withdrawn) + len(changed)}


def people_on(studio, on=None, roles=None) -> list[StudioPerson]:
    """The studio's people on a day (today by default), with their teachers."""
    people = StudioPerson.objects.current(on or _today()).filter(studio=studio)
    if roles:
        people = people.filter(role__in=roles)
    return list(people.select_related("teacher").order_by("role", "starts_on", "id"))


def attendance_people(activity) -> list[StudioPerson]:
    """Who an activity's attendance form lists: the studio's people on the
    day, and anyone recorded for it since (a place ended later)."""
    people = people_on(activity.studio, activity.held_on)
    known = {p.teacher_id for p in people}
    recorded = (
        StudioPerson.objects.filter(
            studio=activity.studio, teacher__studio_attendance__activity=activity
        )
        .exclude(teacher_id__in=known)
        .select_related("teacher")
    )
    return people + list(recorded)


def find_teacher(identifier) -> Teacher | None:
    """The teacher an ID number (身份证号) or a district system's id names.
    Forms name a teacher this way (an exact number, never a browsable list),
    as ``centers`` checks an ID number across the city."""
    from centers.validators import normalise_id_number

    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return (
        Teacher.objects.with_id_number(normalise_id_number(identifier)).first()
        or Teacher.objects.filter(external_id=identifier).order_by("pk").first()
    )


def studio_teacher_ids(studio, on=None) -> set[int]:
    return set(
        StudioPerson.objects.current(on or _today())
        .filter(studio=studio)
        .values_list("teacher_id", flat=True)
    )


def record_activity(*, studio, fields: dict, attended, by=None, activity=None) -> Activity:
    """Create (or change) an activity and its attendance, and post the hours.

    ``attended`` are the teachers (or ids) who attended, all in the studio on
    the day; the others of the studio are recorded absent. Re-saving the same
    activity never posts hours twice."""
    attended_ids = {t if isinstance(t, int) else t.pk for t in attended}
    held_on = fields.get("held_on") or (activity.held_on if activity else None)
    if held_on is None:
        _refuse(_("Give the date of the activity."), "held_on")
    if attended_ids and held_on > _today():
        _refuse(_("Attendance is recorded once the activity has taken place."), "held_on")
    if held_on < studio.cycle_start or held_on > studio.cycle_end:
        _refuse(_("The date is outside the studio's cycle."), "held_on")
    people = studio_teacher_ids(studio, held_on)
    outsiders = attended_ids - people
    if outsiders:
        _refuse(_("Only people of the studio on that day can be marked present."), "attended")
    with transaction.atomic():
        if activity is None:
            activity = Activity(studio=studio, recorded_by=by)
        for name, value in fields.items():
            setattr(activity, name, value)
        activity.studio = studio
        activity.full_clean()
        activity.save()
        known = {a.teacher_id: a for a in activity.attendance.all()}
        for teacher_id in people | set(known):
            present = teacher_id in attended_ids
            row = known.get(teacher_id)
            if row is None:
                Attendance.objects.create(
                    activity=activity, teacher_id=teacher_id, attended=present
                )
            elif row.attended != present:
                row.attended = present
                row.save(update_fields=["attended", "updated_at"])
        sync_activity_hours(activity=activity, by=by)
    return activity


# --- Mentoring -----------------------------------------------------------------


def mentoring_rules() -> dict[str, MentoringRule]:
    """{studio kind or "": rule}: one query, for a whole list of studios."""
    return {rule.kind: rule for rule in MentoringRule.objects.all()}


def rule_for(studio, rules=None) -> MentoringRule:
    rules = mentoring_rules() if rules is None else rules
    return (
        rules.get(studio.kind)
        or rules.get("")
        or MentoringRule(kind="", min_mentees=DEFAULT_MIN_MENTEES)
    )


def mentee_counts(studio_ids, year) -> dict[int, int]:
    """{studio id: distinct mentees paired in ``year``}: one query."""
    rows = (
        MentoringPair.objects.filter(studio_id__in=list(studio_ids), year=year)
        .values("studio_id")
        .annotate(n=Count("mentee_id", distinct=True))
    )
    return {row["studio_id"]: row["n"] for row in rows}


@dataclass
class MentoringStatus:
    year: int
    count: int
    required: int

    @property
    def short(self) -> bool:
        return self.count < self.required

    @property
    def missing(self) -> int:
        return max(0, self.required - self.count)


def mentoring_status(studio, year=None, *, counts=None, rules=None) -> MentoringStatus:
    year = year or _today().year
    if counts is None:
        counts = mentee_counts([studio.pk], year)
    return MentoringStatus(year, counts.get(studio.pk, 0), rule_for(studio, rules).min_mentees)


def add_pair(*, studio, year, mentor, mentee, goals="", by=None) -> MentoringPair:
    """Pair a famous teacher of the studio (its host or a member) with an
    ordinary teacher for a year of the studio's cycle. The mentee is not a
    host or member of any studio."""
    if year not in studio.cycle_years():
        _refuse(_("The year is outside the studio's cycle."), "year")
    if mentor.pk == mentee.pk:
        _refuse(_("A teacher cannot mentor themselves."), "mentee")
    current = StudioPerson.objects.current()
    if not current.filter(
        studio=studio, teacher=mentor, role__in=[PersonRole.HOST, PersonRole.MEMBER]
    ).exists():
        _refuse(_("The mentor must be the host or a member of the studio."), "mentor")
    if current.filter(teacher=mentee, role__in=[PersonRole.HOST, PersonRole.MEMBER]).exists():
        _refuse(_("The mentee must be an ordinary teacher, not in a studio's core team."), "mentee")
    if MentoringPair.objects.filter(year=year, mentor=mentor, mentee=mentee).exists():
        _refuse(_("This pair already exists for that year."), "mentee")
    return MentoringPair.objects.create(
        studio=studio, year=year, mentor=mentor, mentee=mentee, goals=goals
    )


def complete_pair(*, pair, on=None, by=None) -> MentoringPair:
    """The year's mentoring is done: mentee and mentor each earn the rule's
    hours once (``studios.mentoring:<pair>:<year>``), however often this runs."""
    on = on or pair.completed_on or _today()
    if on > _today():
        _refuse(_("Mentoring is completed on a past day or today."), "completed_on")
    if on.year < pair.year:
        _refuse(_("Mentoring cannot be completed before its year."), "completed_on")
    rule = rule_for(pair.studio)
    with transaction.atomic():
        pair = MentoringPair.objects.select_for_update().get(pk=pair.pk)
        if pair.completed_on is None:
            pair.completed_on = on
            pair.save(update_fields=["completed_on", "updated_at"])
        counting = _counting_entries(pair.activity_key)
        title = _("Mentoring %(year)s: %(mentor)s → %(mentee)s") % {
            "year": pair.year,
            "mentor": pair.mentor,
            "mentee": pair.mentee,
        }
        for teacher, hours in ((pair.mentee, rule.mentee_hours), (pair.mentor, rule.mentor_hours)):
            if hours and teacher.pk not in counting:
                _post_once(
                    teacher=teacher,
                    hours=hours,
                    key=pair.activity_key,
                    title=title[:200],
                    earned_on=pair.completed_on,
                    by=by,
                )
    return pair


def _keyed(keys):
    """The ledger's entries of these activity keys. ``activity_key <> ''``
    (true of every key) names the partial index ``credit_entry_activity``:
    PostgreSQL proves it from an ``IN`` list only up to 100 keys."""
    return CreditEntry.objects.filter(activity_key__in=keys).exclude(activity_key="")


def studio_hours(studio) -> Decimal:
    """Hours the studio's activities and mentoring have posted to ledgers
    (three queries)."""
    keys = [f"studios.activity:{pk}" for pk in studio.activities.values_list("pk", flat=True)]
    keys += [f"studios.mentoring:{pk}:{y}" for pk, y in studio.pairs.values_list("pk", "year")]
    if not keys:
        return Decimal("0")
    total = _keyed(keys).aggregate(t=Sum("hours"))["t"]
    return Decimal(str(total or 0)).quantize(TENTH)


def hours_by_teacher(studio) -> list[tuple[Teacher, Decimal]]:
    """Each teacher's hours from this studio's work, most first."""
    keys = [f"studios.activity:{pk}" for pk in studio.activities.values_list("pk", flat=True)]
    keys += [f"studios.mentoring:{pk}:{y}" for pk, y in studio.pairs.values_list("pk", "year")]
    if not keys:
        return []
    rows = (
        _keyed(keys)
        .values("teacher_id")
        .annotate(total=Sum("hours"))
        .order_by("-total", "teacher_id")
    )
    totals = {r["teacher_id"]: Decimal(str(r["total"] or 0)).quantize(TENTH) for r in rows}
    teachers = Teacher.objects.in_bulk(list(totals))
    return [(teachers[pk], hours) for pk, hours in totals.items() if hours and pk in teachers]


# --- Evaluation ---------------------------------------------------------------


def ensure_defaults() -> None:
    """Write the default mentoring rule and schemes where they are missing."""
    from . import defaults

    defaults.write(MentoringRule, EvaluationScheme, Criterion)


def scheme_for(kind) -> EvaluationScheme:
    scheme = EvaluationScheme.objects.filter(kind=kind, is_active=True).first()
    if scheme is None and not EvaluationScheme.objects.filter(kind=kind).exists():
        ensure_defaults()  # a database that never had them (a flushed test database)
        scheme = EvaluationScheme.objects.filter(kind=kind, is_active=True).first()
    if scheme is None:
        _refuse(_("No evaluation scheme of this kind is in use."), "kind")
    return scheme


def result_for(scheme, total: Decimal) -> str:
    if total >= scheme.excellent_from:
        return Result.EXCELLENT
    if total >= scheme.pass_from:
        return Result.PASS
    return Result.FAIL


def weighted_total(scores: dict[int, Decimal], criteria) -> Decimal:
    """Σ weight × score / Σ weight, to one decimal."""
    weights = sum((c.weight for c in criteria), Decimal("0"))
    if not weights:
        return Decimal("0")
    total = sum((c.weight * Decimal(scores[c.pk]) for c in criteria), Decimal("0")) / weights
    return total.quantize(TENTH, rounding=ROUND_HALF_UP)


def start_evaluation(*, studio, kind, year=None, by=None) -> Evaluation:
    """Open an evaluation with the scheme in use: annual ones by the managing
    center for a year of the cycle, the cycle one by the bureau (its year is
    the cycle's last)."""
    if kind == EvaluationKind.ANNUAL:
        _check(by, EVALUATE, studio, _("The annual evaluation is made by the managing center."))
        if year not in studio.cycle_years():
            _refuse(_("The year is outside the studio's cycle."), "year")
    else:
        _check(by, DECIDE, studio, _("The cycle evaluation is made by the bureau."))
        year = studio.cycle_end.year
    if Evaluation.objects.filter(studio=studio, kind=kind, year=year).exists():
        _refuse(_("This evaluation already exists."), "year")
    return Evaluation.objects.create(studio=studio, kind=kind, year=year, scheme=scheme_for(kind))


def score_evaluation(*, evaluation, scores: dict, notes=None, by=None) -> Evaluation:
    """Record scores {criterion id: 0–100} of a draft evaluation."""
    if evaluation.is_completed:
        _refuse(_("A completed evaluation cannot be changed."), code="state")
    criteria = {c.pk: c for c in Criterion.objects.filter(scheme_id=evaluation.scheme_id)}
    notes = notes or {}
    with transaction.atomic():
        for criterion_id, value in scores.items():
            if int(criterion_id) not in criteria:
                _refuse(_("A criterion of another scheme."), "scores")
            if value is None or value == "":
                continue
            value = Decimal(str(value))
            if not (0 <= value <= 100):
                _refuse(_("Scores run from 0 to 100."), "scores")
            Score.objects.update_or_create(
                evaluation=evaluation,
                criterion_id=int(criterion_id),
                defaults={"score": value, "note": (notes.get(criterion_id) or "")[:300]},
            )
    return evaluation


def complete_evaluation(*, evaluation, by=None) -> Evaluation:
    """Compute the weighted total and result once every criterion is scored.
    A cycle evaluation records the host of the time; a failing one is then
    listed against that host (``Teacher.studio_evaluations``)."""
    _check(
        by,
        EVALUATE if evaluation.kind == EvaluationKind.ANNUAL else DECIDE,
        evaluation.studio,
        _("Only the evaluator completes the evaluation."),
    )
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if evaluation.is_completed:
            _refuse(_("The evaluation is already completed."), code="state")
        criteria = list(Criterion.objects.filter(scheme_id=evaluation.scheme_id))
        scores = dict(evaluation.scores.values_list("criterion_id", "score"))
        missing = [c.name for c in criteria if c.pk not in scores]
        if not criteria or missing:
            _refuse(
                _("Score every criterion first: %(names)s.") % {"names": "、".join(missing)},
                code="incomplete",
            )
        evaluation.total = weighted_total(scores, criteria)
        evaluation.result = result_for(evaluation.scheme, evaluation.total)
        evaluation.status = EvaluationStatus.COMPLETED
        evaluation.completed_by = by
        evaluation.completed_at = timezone.now()
        host = current_host(evaluation.studio)
        evaluation.host = host.teacher if host else None
        evaluation.save()
        if evaluation.kind == EvaluationKind.CYCLE and evaluation.result == Result.FAIL:
            audit.record(
                AuditAction.OTHER,
                evaluation,
                actor=by,
                message=_("Failing cycle evaluation recorded against the host %(host)s.")
                % {"host": evaluation.host or "—"},
            )
    return evaluation


def host_failures(teacher):
    """The failing cycle evaluations recorded against a teacher as host."""
    return Evaluation.objects.filter(
        host=teacher, kind=EvaluationKind.CYCLE, result=Result.FAIL
    ).select_related("studio")


def latest_annual(studio_ids) -> dict[int, Evaluation]:
    """{studio id: its latest annual evaluation}: one query."""
    found = {}
    for evaluation in Evaluation.objects.filter(
        studio_id__in=list(studio_ids), kind=EvaluationKind.ANNUAL
    ).order_by("studio_id", "-year"):
        found.setdefault(evaluation.studio_id, evaluation)
    return found


def people_counts(studio_ids, on=None) -> dict[int, Counter]:
    """{studio id: Counter of current people by role}: one query."""
    rows = (
        StudioPerson.objects.current(on or _today())
        .filter(studio_id__in=list(studio_ids))
        .values("studio_id", "role")
        .annotate(n=Count("id"))
    )
    found: dict[int, Counter] = {}
    for row in rows:
        found.setdefault(row["studio_id"], Counter())[row["role"]] = row["n"]
    return found


def studio_rows(studios, year=None):
    """Attach to each studio of a page its mentoring status, latest annual
    evaluation, host and head counts, in a fixed number of queries."""
    studios = list(studios)
    year = year or _today().year
    ids = [s.pk for s in studios]
    counts = mentee_counts(ids, year)
    rules = mentoring_rules()
    evaluations = latest_annual(ids)
    heads = people_counts(ids)
    hosts = {
        p.studio_id: p.teacher
        for p in StudioPerson.objects.current()
        .filter(studio_id__in=ids, role=PersonRole.HOST)
        .select_related("teacher")
    }
    for studio in studios:
        studio.mentoring = mentoring_status(studio, year, counts=counts, rules=rules)
        studio.latest_evaluation = evaluations.get(studio.pk)
        studio.head_counts = heads.get(studio.pk, Counter())
        studio.host_teacher = hosts.get(studio.pk)
    return studios
