"""Funding's rules, in one place: pages, API, demo and commands call these.

Ring-fencing (专款专用) is held in three layers:

- every write that moves money locks the line's row (``select_for_update``)
  inside a transaction, so concurrent allocations or payments on one line
  queue, each sees the totals the one before left, and a request that would
  go beyond is refused with a message;
- the totals it checks (``line.allocated``/``disbursed``,
  ``allocation.reversed``/``disbursed``, ``disbursement.refunded``) are kept
  inside their bounds by CHECK constraints, so even a write that bypassed
  these functions cannot over-allocate or over-pay;
- entries are never edited: a refund or correction is a negative entry that
  reverses an earlier one (``reverse_allocation``, ``reverse_disbursement``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Center, CenterKind
from core import formats
from core.batch import SyncAnswer, answer_once, body_hash

from .models import (
    METRIC_HOLDER,
    REVERSING_KINDS,
    ZERO,
    Allocation,
    BudgetFigure,
    BudgetLine,
    Disbursement,
    DisbursementKind,
    FigureKind,
    HolderKind,
    PolicyMetric,
    PolicyRule,
    Purpose,
)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def money(value) -> Decimal:
    """A positive amount with two places; floats are refused (binary
    fractions are not money)."""
    if isinstance(value, float):
        raise ValidationError(_("Amounts are written as decimals, not floats."), code="amount")
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:
        raise ValidationError(_("Not an amount."), code="amount") from exc
    if amount <= 0:
        raise ValidationError(_("The amount must be greater than zero."), code="amount")
    return amount


def _lock_line(line_id) -> BudgetLine:
    return BudgetLine.objects.select_for_update().get(pk=line_id)


def _db_refusal(exc):
    raise ValidationError(
        _("The amounts would leave the line's bounds; nothing was written."), code="bounds"
    ) from exc


# --- Lines -------------------------------------------------------------------


def create_line(
    *,
    year,
    holder_kind,
    source,
    name,
    amount,
    purpose=Purpose.TRAINING,
    center=None,
    district=None,
    school=None,
    note="",
    external_id="",
    by=None,
) -> BudgetLine:
    if school is not None:
        district = school.district
    line = BudgetLine(
        year=year,
        holder_kind=holder_kind,
        source=source,
        purpose=purpose,
        name=name,
        amount=money(amount),
        center=center,
        district=district,
        school=school,
        note=note,
        external_id=external_id,
    )
    line.full_clean()
    line.save()
    return line


def change_line_amount(*, line, amount) -> BudgetLine:
    """A line's budget may change (a supplementary budget) but never below
    what is already allocated."""
    amount = money(amount)
    with transaction.atomic():
        locked = _lock_line(line.pk)
        if amount < locked.allocated:
            raise ValidationError(
                _("The line already allocates ¥%(allocated)s; its amount cannot go below.")
                % {"allocated": formats.format_amount(locked.allocated)},
                code="bounds",
            )
        locked.amount = amount
        locked.save(update_fields=["amount", "updated_at"])
    return locked


# --- Allocations ---------------------------------------------------------------


def _check_purpose(line, *, plan, project, subproject, center):
    if line.purpose == Purpose.TRAINING:
        if center is not None and not (
            center.kind == CenterKind.DISTRICT and center.district_id == line.district_id
        ):
            raise ValidationError(
                _("Training funds go to training, or to the district's own training school."),
                code="purpose",
            )
    elif line.purpose == Purpose.CENTER_BUILDING and center is None:
        raise ValidationError(
            _("Center-building funds go only to a center (专款专用)."), code="purpose"
        )


def allocate(
    *,
    line,
    amount,
    plan=None,
    project=None,
    subproject=None,
    center=None,
    made_on=None,
    reason="",
    by=None,
) -> Allocation:
    """Put part of ``line`` on one target; refused beyond what the line has left."""
    amount = money(amount)
    targets = [t for t in (plan, project, subproject, center) if t is not None]
    if len(targets) != 1:
        raise ValidationError(_("Choose one plan, project, sub-project or center."), code="target")
    _check_purpose(line, plan=plan, project=project, subproject=subproject, center=center)
    try:
        with transaction.atomic():
            locked = _lock_line(line.pk)
            if amount > locked.amount - locked.allocated:
                raise ValidationError(
                    _("Only ¥%(left)s of the line is left to allocate.")
                    % {"left": formats.format_amount(locked.amount - locked.allocated)},
                    code="over_allocated",
                )
            allocation = Allocation.objects.create(
                line=locked,
                plan=plan,
                project=project,
                subproject=subproject,
                center=center,
                amount=amount,
                made_on=made_on or timezone.localdate(),
                reason=reason,
                created_by=by,
            )
            BudgetLine.objects.filter(pk=locked.pk).update(allocated=F("allocated") + amount)
    except IntegrityError as exc:
        _db_refusal(exc)
    return allocation


def reverse_allocation(*, allocation, amount=None, reason, by=None, made_on=None) -> Allocation:
    """Give back (part of) an allocation to its line: a negative entry. Only
    what is not paid out may be given back."""
    if not reason:
        raise ValidationError(_("Say why the allocation is reversed."), code="reason")
    if allocation.reverses_id:
        raise ValidationError(_("A reversal cannot be reversed."), code="reversal")
    try:
        with transaction.atomic():
            locked = _lock_line(allocation.line_id)
            original = Allocation.objects.select_for_update().get(pk=allocation.pk)
            left = original.amount - original.reversed - original.disbursed
            amount = left if amount is None else money(amount)
            if amount <= 0 or amount > left:
                raise ValidationError(
                    _("Only ¥%(left)s of the allocation is unpaid and can be reversed.")
                    % {"left": formats.format_amount(left)},
                    code="over_reversed",
                )
            entry = Allocation.objects.create(
                line=locked,
                amount=-amount,
                reverses=original,
                made_on=made_on or timezone.localdate(),
                reason=reason,
                created_by=by,
            )
            Allocation.objects.filter(pk=original.pk).update(reversed=F("reversed") + amount)
            BudgetLine.objects.filter(pk=locked.pk).update(allocated=F("allocated") - amount)
    except IntegrityError as exc:
        _db_refusal(exc)
    return entry


# --- Disbursements -------------------------------------------------------------


def _check_contract(allocation, contract, step):
    if step is not None and step.contract_id != contract.pk:
        raise ValidationError(_("The payment step is not of this contract."), code="contract")
    subs = contract.subprojects.all()
    if allocation.subproject_id:
        covered = subs.filter(pk=allocation.subproject_id).exists()
    elif allocation.project_id:
        covered = subs.filter(project_id=allocation.project_id).exists()
    elif allocation.plan_id:
        covered = subs.filter(project__plan_id=allocation.plan_id).exists()
    else:
        covered = False
    if not covered:
        raise ValidationError(
            _("The contract does not cover what this allocation pays for (专款专用)."),
            code="contract",
        )


def disburse(
    *,
    allocation,
    amount,
    kind,
    paid_on=None,
    contract=None,
    payment_step=None,
    payee="",
    reference="",
    by=None,
) -> Disbursement:
    """Pay part of an allocation; refused beyond what the allocation has
    left. Against a payment step: the step must be due and is paid no more
    than its amount; once fully paid it is marked paid."""
    from training.models import PaymentStepStatus

    amount = money(amount)
    if kind in REVERSING_KINDS:
        raise ValidationError(_("Refunds and corrections reverse a payment."), code="kind")
    if payment_step is not None and contract is None:
        contract = payment_step.contract
    if contract is not None:
        _check_contract(allocation, contract, payment_step)
        payee = payee or str(contract.vendor)
    paid_on = paid_on or timezone.localdate()
    try:
        with transaction.atomic():
            locked = _lock_line(allocation.line_id)
            current = Allocation.objects.select_for_update().get(pk=allocation.pk)
            if current.reverses_id:
                raise ValidationError(_("A reversal pays nothing."), code="reversal")
            left = current.amount - current.reversed - current.disbursed
            if amount > left:
                raise ValidationError(
                    _("Only ¥%(left)s of the allocation is left to pay.")
                    % {"left": formats.format_amount(left)},
                    code="over_paid",
                )
            if payment_step is not None:
                step = type(payment_step).objects.select_for_update().get(pk=payment_step.pk)
                if step.status != PaymentStepStatus.DUE:
                    raise ValidationError(
                        _("The payment step is not due (%(status)s).")
                        % {"status": step.get_status_display()},
                        code="not_due",
                    )
                paid = step_paid(step)
                if paid + amount > step.amount:
                    raise ValidationError(
                        _("Only ¥%(left)s of the payment step is left to pay.")
                        % {"left": formats.format_amount(step.amount - paid)},
                        code="over_paid",
                    )
            entry = Disbursement.objects.create(
                allocation=current,
                kind=kind,
                amount=amount,
                contract=contract,
                payment_step=payment_step,
                payee=payee,
                paid_on=paid_on,
                reference=reference,
                created_by=by,
            )
            Allocation.objects.filter(pk=current.pk).update(disbursed=F("disbursed") + amount)
            BudgetLine.objects.filter(pk=locked.pk).update(disbursed=F("disbursed") + amount)
            if payment_step is not None and paid + amount == step.amount:
                step.status = PaymentStepStatus.PAID
                step.paid_on = paid_on
                step.save(update_fields=["status", "paid_on", "updated_at"])
    except IntegrityError as exc:
        _db_refusal(exc)
    return entry


def step_paid(step) -> Decimal:
    return Disbursement.objects.filter(payment_step=step).aggregate(
        s=Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField())
    )["s"]


def reverse_disbursement(
    *, disbursement, reason, amount=None, kind=DisbursementKind.REFUND, paid_on=None, by=None
) -> Disbursement:
    """A refund or correction of (part of) a payment: a negative entry that
    gives the money back to the allocation."""
    from training.models import PaymentStepStatus

    if kind not in REVERSING_KINDS:
        raise ValidationError(_("A reversal is a refund or a correction."), code="kind")
    if not reason:
        raise ValidationError(_("Say why the payment is reversed."), code="reason")
    if disbursement.reverses_id:
        raise ValidationError(_("A reversal cannot be reversed."), code="reversal")
    try:
        with transaction.atomic():
            locked = _lock_line(disbursement.allocation.line_id)
            original = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
            left = original.amount - original.refunded
            amount = left if amount is None else money(amount)
            if amount <= 0 or amount > left:
                raise ValidationError(
                    _("Only ¥%(left)s of the payment can be reversed.")
                    % {"left": formats.format_amount(left)},
                    code="over_reversed",
                )
            entry = Disbursement.objects.create(
                allocation_id=original.allocation_id,
                kind=kind,
                amount=-amount,
                contract_id=original.contract_id,
                payment_step_id=original.payment_step_id,
                reverses=original,
                payee=original.payee,
                paid_on=paid_on or timezone.localdate(),
                reason=reason,
                created_by=by,
            )
            Disbursement.objects.filter(pk=original.pk).update(refunded=F("refunded") + amount)
            Allocation.objects.filter(pk=original.allocation_id).update(
                disbursed=F("disbursed") - amount
            )
            BudgetLine.objects.filter(pk=locked.pk).update(disbursed=F("disbursed") - amount)
            if original.payment_step_id:
                from training.models import PaymentStep

                PaymentStep.objects.filter(
                    pk=original.payment_step_id, status=PaymentStepStatus.PAID
                ).update(status=PaymentStepStatus.DUE, paid_on=None)
    except IntegrityError as exc:
        _db_refusal(exc)
    return entry


# --- Figures -------------------------------------------------------------------


def _sum(qs, field="amount"):
    return qs.aggregate(s=Coalesce(Sum(field), Value(ZERO), output_field=DecimalField()))["s"]


def rate(part, whole):
    """``part / whole`` as a percentage with one place, or None."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Execution:
    """Budget execution of a group of lines: budgeted, allocated, disbursed,
    and the disbursement rate (拨付率, % of the budget)."""

    label: str
    lines: int
    budget: Decimal
    allocated: Decimal
    disbursed: Decimal
    #: the holder's book the row links to: ((holder kind, holder id) or
    #: None for the bureau's, year or None); None: no link
    book: tuple | None = None

    @property
    def url(self) -> str:
        """The holder's book (``""`` for a row of no holder); built when
        read: the dashboards' charts never read it."""
        if self.book is None:
            return ""
        holder, year = self.book
        url = reverse("funding:book", args=holder) if holder else reverse("funding:book-bureau")
        return url + (f"?year={year}" if year is not None else "")

    @property
    def rate(self):
        return rate(self.disbursed, self.budget)

    @property
    def allocation_rate(self):
        return rate(self.allocated, self.budget)


def execution(lines) -> Execution:
    totals = lines.aggregate(
        n=Coalesce(Sum(Value(1)), 0),
        budget=Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField()),
        allocated=Coalesce(Sum("allocated"), Value(ZERO), output_field=DecimalField()),
        disbursed=Coalesce(Sum("disbursed"), Value(ZERO), output_field=DecimalField()),
    )
    return Execution("", totals["n"], totals["budget"], totals["allocated"], totals["disbursed"])


def execution_by_holder(lines, year=None) -> list[Execution]:
    """Execution per holder (one aggregate query)."""
    if year is not None:
        lines = lines.filter(year=year)
    rows = (
        lines.values(
            "holder_kind",
            "center_id",
            "center__name",
            "district_id",
            "district__name",
            "school_id",
            "school__name",
        )
        .annotate(
            n=Sum(Value(1)),
            budget=Sum("amount"),
            allocated_sum=Sum("allocated"),
            disbursed_sum=Sum("disbursed"),
        )
        .order_by("holder_kind", "district__name", "center__name", "school__name")
    )
    out = []
    for r in rows:
        label = (
            r["school__name"]
            or r["center__name"]
            or r["district__name"]
            or str(HolderKind(r["holder_kind"]).label)
        )
        kind = r["holder_kind"]
        pk = {"center": r["center_id"], "district": r["district_id"], "school": r["school_id"]}
        book = ((kind, pk[kind]) if kind in pk else None, year)
        out.append(
            Execution(label, r["n"], r["budget"], r["allocated_sum"], r["disbursed_sum"], book)
        )
    return out


def execution_by_year(lines) -> list[tuple[int, Execution]]:
    rows = (
        lines.values("year")
        .annotate(
            n=Sum(Value(1)),
            budget=Sum("amount"),
            allocated_sum=Sum("allocated"),
            disbursed_sum=Sum("disbursed"),
        )
        .order_by("year")
    )
    return [
        Execution(str(r["year"]), r["n"], r["budget"], r["allocated_sum"], r["disbursed_sum"])
        for r in rows
    ]


def investment_to_date(*, since=2018, payments=None) -> dict:
    """Money paid into the centers' building (硬软件建设) since ``since``,
    by kind of center: ``{"municipal": Decimal, "district": Decimal}``;
    ``payments`` narrows the payments read (a user's scope)."""
    paid = (Disbursement.objects.all() if payments is None else payments).filter(
        allocation__line__purpose=Purpose.CENTER_BUILDING,
        allocation__line__year__gte=since,
    )
    out = {}
    for kind in CenterKind.values:
        out[kind] = _sum(
            paid.filter(
                Q(allocation__center__kind=kind)
                | Q(allocation__center__isnull=True, allocation__reverses__center__kind=kind)
            )
        )
    return out


def cost_per_trainee(subproject) -> Decimal | None:
    """Money paid for a sub-project per trainee who completed it."""
    paid = _sum(
        Disbursement.objects.filter(
            Q(allocation__subproject=subproject) | Q(allocation__reverses__subproject=subproject)
        )
    )
    # completed = the hours were posted to the teacher's ledger at closing
    done = subproject.enrollments.filter(credit_entry__isnull=False).count()
    if not done:
        return None
    return (paid / done).quantize(CENT, ROUND_HALF_UP)


@dataclass
class TraineeCost:
    """What a sub-project cost per trainee who completed it."""

    subproject: object
    paid: Decimal
    trainees: int

    @property
    def cost(self) -> Decimal | None:
        if not self.trainees:
            return None
        return (self.paid / self.trainees).quantize(CENT, ROUND_HALF_UP)


def trainee_costs(subprojects) -> list[TraineeCost]:
    """``cost_per_trainee`` for many sub-projects at once: two grouped
    queries (payments, completed enrolments) whatever their number."""
    from training.models import Enrollment

    subprojects = list(subprojects)
    ids = [s.pk for s in subprojects]
    if not ids:
        return []
    paid = dict(
        Disbursement.objects.filter(
            Q(allocation__subproject_id__in=ids) | Q(allocation__reverses__subproject_id__in=ids)
        )
        .annotate(sp=Coalesce("allocation__subproject_id", "allocation__reverses__subproject_id"))
        .values("sp")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("sp", "total")
    )
    done = dict(
        Enrollment.objects.filter(subproject_id__in=ids, credit_entry__isnull=False)
        .values("subproject_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("subproject_id", "n")
    )
    return [TraineeCost(s, paid.get(s.pk, ZERO), done.get(s.pk, 0)) for s in subprojects]


def funded_subprojects(lines):
    """The sub-projects that allocations of ``lines`` pay for (one query)."""
    from training.models import SubProject

    return (
        SubProject.objects.filter(allocations__line__in=lines, allocations__reverses__isnull=True)
        .distinct()
        .order_by("pk")
    )


def payable_contracts(allocation):
    """The contracts a payment out of ``allocation`` may go against: those
    covering what it pays for (``_check_contract``'s rule), and their due
    payment steps: ``(contracts, steps)``; ``(None, None)`` for an allocation
    to a center."""
    from training.models import Contract, PaymentStep, PaymentStepStatus

    if allocation.subproject_id:
        covers = Q(subprojects=allocation.subproject_id)
    elif allocation.project_id:
        covers = Q(subprojects__project=allocation.project_id)
    elif allocation.plan_id:
        covers = Q(subprojects__project__plan=allocation.plan_id)
    else:
        return None, None
    contracts = Contract.objects.filter(covers).distinct().order_by("number")
    steps = (
        PaymentStep.objects.filter(
            contract__in=contracts.values("pk"), status=PaymentStepStatus.DUE
        )
        .select_related("contract")
        .order_by("contract__number", "position")
    )
    return contracts, steps


# --- Policy rules ----------------------------------------------------------------


@dataclass
class RuleCheck:
    """A rule applied to a holder: the figures, the value, and whether it holds."""

    rule: PolicyRule
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None

    @property
    def passes(self) -> bool:
        return self.rule.holds(self.value)

    @property
    def known(self) -> bool:
        return self.value is not None


def rules_for(holder_kind, district=None) -> list[PolicyRule]:
    """The rules in force for a kind of holder; a district's own share
    replaces the general rule of the same metric."""
    return _rules_in_force(holder_kind, district=district)[holder_kind]


def _rules_in_force(*holder_kinds, district=None) -> dict:
    """``rules_for`` of several kinds of holder in one query:
    ``{holder_kind: [PolicyRule]}``."""
    metrics = [m for m, k in METRIC_HOLDER.items() if k in holder_kinds]
    found = {}
    for rule in PolicyRule.objects.filter(metric__in=metrics, is_active=True).filter(
        Q(district__isnull=True) | Q(district=district)
    ):
        if rule.metric not in found or rule.district_id:
            found[rule.metric] = rule
    ordered = sorted(found.values(), key=lambda r: (r.order, r.code))
    return {k: [r for r in ordered if METRIC_HOLDER[r.metric] == k] for k in holder_kinds}


def _pct(num, den):
    if not den:
        return None
    return (num * HUNDRED / den).quantize(CENT, ROUND_HALF_UP)


def _book_statement(schools_sql: str) -> str:
    """The statement of a district's book for a year (``_book``): one row per
    school of ``schools_sql`` (a subquery of schools' ids and names), by name,
    each with the district's figures beside its own (one row of NULL schools
    when there is none):

    * the district's training lines' total (``district training``), its
      teachers' payroll, and what those lines allocated to its training
      school (a district center of the district), reversals included (the
      60 % rule: a reversal counts by the allocation it reverses);
    * the school's training lines' total and its public-fund budget.

    Written once, its parameters in ``_book``'s order: the ORM built and
    compiled the same as five querysets for about a tenth of the district
    dashboard's time."""
    line, figure = BudgetLine._meta.db_table, BudgetFigure._meta.db_table
    allocation, center = Allocation._meta.db_table, Center._meta.db_table
    training = "holder_kind = %s AND year = %s AND purpose = %s"
    district = (
        f"SELECT (SELECT SUM(amount) FROM {line} WHERE {training} AND district_id = %s) AS dt, "
        f"(SELECT amount FROM {figure} WHERE year = %s AND kind = %s AND district_id = %s "
        "AND school_id IS NULL) AS dp, "
        "(SELECT COALESCE(SUM(CASE WHEN c.kind = %s AND c.district_id = %s THEN a.amount END), 0)"
        " + COALESCE(SUM(CASE WHEN rc.kind = %s AND rc.district_id = %s THEN a.amount END), 0)"
        f" FROM {allocation} a LEFT JOIN {center} c ON c.id = a.center_id"
        f" LEFT JOIN {allocation} r ON r.id = a.reverses_id"
        f" LEFT JOIN {center} rc ON rc.id = r.center_id"
        f" WHERE a.line_id IN (SELECT id FROM {line} WHERE {training} AND district_id = %s)"
        ") AS ds"
    )
    school = (
        f"SELECT s.id AS sid, s.name AS sname, "
        f"(SELECT SUM(amount) FROM {line} WHERE {training} AND school_id = s.id) AS st, "
        f"(SELECT amount FROM {figure} WHERE year = %s AND kind = %s AND school_id = s.id) AS sb "
        f"FROM ({schools_sql}) s"
    )
    return (
        f"SELECT d.dt, d.dp, d.ds, s.sid, s.sname, s.st, s.sb FROM ({district}) d "
        f"LEFT JOIN ({school}) s ON 1 = 1 ORDER BY s.sname, s.sid"
    )


def _money(value):
    """An amount as the ORM reads it: SQLite answers a sum as int or float."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(CENT)


def _book(district_id, year, schools) -> tuple[dict, list]:
    """A district's figures for its rules in ``year`` and those of each of
    ``schools`` (a queryset; their ids and names are its subquery), in one
    statement (``_book_statement``): ``({metric: (numerator, denominator)},
    [(school id, name, training funds, public-fund budget)])``."""
    from centers.models import School

    using = schools.db
    try:
        schools_sql, schools_params = (
            schools.order_by().values_list("id", "name").query.get_compiler(using).as_sql()
        )
    except EmptyResultSet:  # ``none()``: the district's figures alone
        schools_sql, schools_params = (
            f"SELECT id, name FROM {School._meta.db_table} WHERE 1 = 0",
            [],
        )
    training = [HolderKind.DISTRICT.value, year, Purpose.TRAINING.value]
    district = CenterKind.DISTRICT.value
    params = [
        *training,
        district_id,
        *(year, FigureKind.TEACHER_PAYROLL.value, district_id),
        *(district, district_id, district, district_id),
        *training,
        district_id,
        *(HolderKind.SCHOOL.value, year, Purpose.TRAINING.value),
        *(year, FigureKind.PUBLIC_FUND_BUDGET.value),
        *schools_params,
    ]
    with connections[using].cursor() as cursor:
        cursor.execute(
            _book_statement(schools_sql), [str(p) if hasattr(p, "label") else p for p in params]
        )
        rows = cursor.fetchall()
    district_training = _money(rows[0][0]) or ZERO
    figures = {
        PolicyMetric.DISTRICT_PAYROLL_SHARE: (district_training, _money(rows[0][1])),
        PolicyMetric.TRAINING_SCHOOL_SHARE: (_money(rows[0][2]) or ZERO, district_training),
    }
    schools_figures = [
        (sid, sname, _money(st) or ZERO, _money(sb))
        for _dt, _dp, _ds, sid, sname, st, sb in rows
        if sid is not None
    ]
    return figures, schools_figures


def _check(rule, num, den) -> RuleCheck:
    return RuleCheck(rule, num, den, _pct(num, den) if den is not None else None)


def district_checks(district, year, schools=None) -> tuple[list, list]:
    """A district's book: ``evaluate_policies`` of the district and of each of
    its schools (or the ``schools`` given, a queryset), in two queries
    whatever the number of schools: the rules of both kinds at once, and the
    figures (``_book``, the one path ``evaluate_policies`` takes too).
    Returns ``(district checks, [(school id, school name, check)])``, a
    school's check by the school rule in force (there is one school metric)."""
    from centers.models import School

    rules = _rules_in_force(HolderKind.DISTRICT, HolderKind.SCHOOL, district=district.pk)
    if schools is None:
        schools = School.objects.filter(district=district)
    figures, per_school = _book(district.pk, year, schools)
    own = [_check(rule, *figures[rule.metric]) for rule in rules[HolderKind.DISTRICT]]
    if not rules[HolderKind.SCHOOL]:
        return own, []
    rule = rules[HolderKind.SCHOOL][0]
    return own, [(pk, name, _check(rule, t, b)) for pk, name, t, b in per_school]


def disbursement_rates(*, year) -> dict:
    """The disbursement rate (拨付率) of the year's lines per district (its own
    and its schools' lines) and for the city (key None): two aggregate
    queries on the maintained line totals (the monthly snapshot's figure)."""
    lines = BudgetLine.objects.filter(year=year)
    rows = (
        lines.exclude(district__isnull=True)
        .values("district_id")
        .annotate(budget=Sum("amount"), paid=Sum("disbursed"))
        .order_by("district_id")
    )
    out = {r["district_id"]: rate(r["paid"], r["budget"]) for r in rows}
    total = execution(lines)
    out[None] = total.rate
    return out


def evaluate_policies(*, holder, year) -> list[RuleCheck]:
    """Every rule in force for ``holder`` (a School or a District) in ``year``,
    with its figures: two queries, by ``_book`` as ``district_checks``."""
    from centers.models import School

    if isinstance(holder, School):
        rules = rules_for(HolderKind.SCHOOL, district=holder.district_id)
        _figures, [(_pk, _name, training, budget)] = _book(
            holder.district_id, year, School.objects.filter(pk=holder.pk)
        )
        return [_check(rule, training, budget) for rule in rules]
    rules = rules_for(HolderKind.DISTRICT, district=holder.pk)
    figures, _schools = _book(holder.pk, year, School.objects.none())
    return [_check(rule, *figures[rule.metric]) for rule in rules]


# --- District batch of budget figures ---------------------------------------------


def post_figures(*, district, rows, by=None) -> dict:
    """A district system's budget figures (payroll, schools' public-fund
    budgets) and training lines, written all or nothing; the same batch
    again changes nothing. Each row: ``{"year", "kind", "amount",
    "school_external_id"?}`` for a figure, or ``{"year", "line_id", "name",
    "source", "amount"}`` for a district training line (``line_id`` is the
    district system's own id)."""
    from centers.models import School
    from core.batch import BatchRejected, RowError, RowErrors

    if not isinstance(rows, list) or not rows or len(rows) > 1000:
        raise BatchRejected(message=_("Send a list of 1 to 1,000 rows."))
    errors = RowErrors()
    schools = {
        s.external_id: s for s in School.objects.filter(district=district).exclude(external_id="")
    }
    checked = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.add(i, None, _("Each row is an object."))
            continue
        try:
            year = int(row.get("year"))
            if not 2000 <= year <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            errors.add(i, "year", _("A year between 2000 and 2100."))
            continue
        try:
            amount = Decimal(str(row.get("amount")))
            if (
                isinstance(row.get("amount"), float)
                or amount < 0
                or amount != amount.quantize(CENT)
            ):
                raise ArithmeticError
        except ArithmeticError:
            errors.add(i, "amount", _("An amount in yuan with at most two decimals, as a string."))
            continue
        if "line_id" in row:
            from .models import FundingSource

            if row.get("source") not in FundingSource.values:
                errors.add(i, "source", _("Unknown source."))
                continue
            if not row.get("name") or not str(row.get("line_id")).strip() or amount <= 0:
                errors.add(i, "line_id", _("A line needs its id, a name and an amount."))
                continue
            checked.append(("line", year, row, amount, None))
            continue
        if row.get("kind") not in FigureKind.values:
            errors.add(i, "kind", _("Unknown figure."))
            continue
        school = None
        if row.get("school_external_id"):
            school = schools.get(str(row["school_external_id"]))
            if school is None:
                errors.add(i, "school_external_id", _("No school of this district has this id."))
                continue
        checked.append(("figure", year, row, amount, school))
    if errors:
        raise BatchRejected(errors)
    result = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for index, (what, year, row, amount, school) in enumerate(checked):
            if what == "figure":
                fig, created = BudgetFigure.objects.get_or_create(
                    year=year,
                    kind=row["kind"],
                    district=district,
                    school=school,
                    defaults={"amount": amount},
                )
                if created:
                    result["created"] += 1
                elif fig.amount != amount:
                    fig.amount = amount
                    fig.save()
                    result["updated"] += 1
                else:
                    result["unchanged"] += 1
                continue
            external_id = str(row["line_id"]).strip()
            line = BudgetLine.objects.filter(district=district, external_id=external_id).first()
            if line is None:
                create_line(
                    year=year,
                    holder_kind=HolderKind.DISTRICT,
                    district=district,
                    source=row["source"],
                    name=str(row["name"])[:200],
                    amount=amount,
                    external_id=external_id,
                )
                result["created"] += 1
            elif line.amount != amount or line.name != str(row["name"])[:200]:
                if amount < line.allocated:
                    raise BatchRejected(
                        [
                            RowError(
                                index,
                                "amount",
                                _("The line already allocates ¥%(allocated)s.")
                                % {"allocated": formats.format_amount(line.allocated)},
                            )
                        ]
                    )
                line.name = str(row["name"])[:200]
                line.save(update_fields=["name", "updated_at"])
                change_line_amount(line=line, amount=amount)
                result["updated"] += 1
            else:
                result["unchanged"] += 1
    return result


def post_figures_once(*, district, key, rows, by=None) -> SyncAnswer:
    """``post_figures`` under an ``Idempotency-Key``: the first request with
    the key writes and stores its answer with the key in one transaction; a
    resend of the same rows gets that answer back and writes nothing; the same
    key with other rows is refused (422). A rejected batch stores nothing, so
    its key may be used again for the corrected batch. Two requests with one
    key at once queue on the key's unique index."""
    from .models import FigureBatchRequest

    # A rejected batch raises out of the transaction: its key is not kept.
    return answer_once(
        FigureBatchRequest,
        district=district,
        key=key,
        digest=body_hash(rows),
        rows=len(rows) if isinstance(rows, list) else 0,
        user=by,
        write=lambda: SyncAnswer(200, post_figures(district=district, rows=rows, by=by)),
    )


def purge_figure_batches(now=None, days=90) -> int:
    """Forget idempotency keys older than ``days`` (a resend that late is
    still harmless: the same figures again change nothing)."""
    import datetime

    from .models import FigureBatchRequest

    now = now or timezone.now()
    deleted, _n = FigureBatchRequest.objects.filter(
        created_at__lt=now - datetime.timedelta(days=days)
    ).delete()
    return deleted


def ensure_rules():
    """The rules of ``rules_data`` exist (the data migration loads them too);
    existing rows are left as edited."""
    from .rules_data import RULES

    for order, (code, description, metric, threshold, source) in enumerate(RULES, start=1):
        if not PolicyRule.objects.filter(metric=metric, district__isnull=True).exists():
            PolicyRule.objects.create(
                code=code,
                description=description,
                metric=metric,
                threshold=Decimal(threshold),
                source=source,
                order=order,
            )


def set_district_share(*, district, metric, threshold, description="", source=""):
    """A district's own share of a rule (Hezhou: 2 % of payroll)."""
    rule, _created = PolicyRule.objects.update_or_create(
        metric=metric,
        district=district,
        defaults={
            "code": f"{metric.replace('_', '-')}-{district.code}"[:40],
            "description": description
            or f"{district.name}：{PolicyMetric(metric).label} ≥ {threshold}%",
            "threshold": Decimal(str(threshold)),
            "source": source,
        },
    )
    return rule
