"""Procurement (政府采购) as a state machine, the expert draw, scoring, award,
contract and payment steps. Called by pages, the API and the demo alike.

The steps, in order (each refuses an out-of-order move with a clear message,
raised as ``ValidationError`` with code ``"state"``)::

    file_need          → need_filed        (the requirement, its budget and criteria)
    approve_need       → need_approved     (the procurement office's approval)
    announce           → announced         (tender by 公开招标 / 竞争性磋商 through an agency)
    submit_bid         (while announced, until the bids close; one per vendor)
    draw_experts       → review            (random, excluding conflicts, reproducible seed)
    score_bid          (each drawn expert, each bid, each criterion)
    award              → awarded           (highest total; the vendor gets grants)
    publish_award_notice                   (中标公告: the award notice date)
    sign_contract      → contracted        (performance bond received, payment steps)
    record_invoice     (a step "against invoice" becomes due)
    accept_contract    (验收: steps "after acceptance" become due)
    pay_step           (a due step is paid)
    end_contract       (grants withdrawn)
    fail               → failed            (流标, with a reason)

The award gives each staff member of the winning vendor django-guardian
grants (view and change) on the procurement's sub-projects and makes the
vendor theirs; ending the contract withdraws both.
"""

from __future__ import annotations

import random
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from core import audit, formats
from core.models import AuditAction, Membership
from core.roles import Role

from ..models import (
    Bid,
    Contract,
    ContractStatus,
    Criterion,
    DueCondition,
    Expert,
    Panelist,
    PaymentStep,
    PaymentStepStatus,
    Procurement,
    ProcurementStatus,
    Score,
    SubProject,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
GRANTS = ("training.view_subproject", "training.change_subproject")

S = ProcurementStatus


def _require(user, action, obj):
    model = type(obj)
    if not model.objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not do this."))


def _status_label(value):
    return dict(ProcurementStatus.choices).get(value, value)


def _refuse(procurement, step, *expected):
    raise ValidationError(
        _("Cannot %(step)s: the procurement is %(status)s; it must be %(expected)s first.")
        % {
            "step": step,
            "status": procurement.get_status_display(),
            "expected": _(" or ").join(str(_status_label(e)) for e in expected),
        },
        code="state",
    )


def _locked(procurement) -> Procurement:
    return Procurement.objects.select_for_update().get(pk=procurement.pk)


def _expect(procurement, step, *expected):
    if procurement.status not in expected:
        _refuse(procurement, step, *expected)


def _moved(procurement, by, source, message, **changes):
    audit.record(
        AuditAction.UPDATE,
        procurement,
        actor=by,
        changes={"status": [source, procurement.status], **changes},
        message=message,
    )


def _money(value) -> Decimal:
    try:
        value = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:
        raise ValidationError(_("Enter an amount in yuan."), code="amount") from exc
    if value <= ZERO:
        raise ValidationError(_("The amount must be more than zero."), code="amount")
    return value


# --- Need, approval, announcement ------------------------------------------------------


def file_need(
    *,
    center,
    title,
    method,
    budget,
    by,
    subprojects=(),
    criteria=(),
    agency="",
    expert_count=5,
) -> Procurement:
    """File the requirement (采购需求): its sub-projects, budget and scoring
    criteria (``[(name, max_points), ...]``)."""
    with transaction.atomic():
        procurement = Procurement(
            title=title,
            center=center,
            method=method,
            agency=agency,
            budget=_money(budget),
            expert_count=expert_count,
            status=S.NEED_FILED,
        )
        procurement.full_clean(exclude=["awarded_bid"])
        procurement.save()
        _require(by, "add", procurement)
        subprojects = list(subprojects)
        for sub in subprojects:
            if sub.center_id != center.pk:
                raise ValidationError(
                    _("%(sub)s is not %(center)s's sub-project.") % {"sub": sub, "center": center},
                    code="subproject",
                )
        procurement.subprojects.set(subprojects)
        for position, (name, points) in enumerate(criteria):
            Criterion.objects.create(
                procurement=procurement,
                name=name,
                max_points=Decimal(str(points)),
                position=position,
            )
    return procurement


def approve_need(*, procurement, by) -> Procurement:
    """The procurement office approves the requirement (审核通过)."""
    with transaction.atomic():
        procurement = _locked(procurement)
        _require(by, "change", procurement)
        _expect(procurement, _("approve the need"), S.NEED_FILED)
        if not procurement.criteria.exists():
            raise ValidationError(
                _("Set the scoring criteria before the need is approved."), code="criteria"
            )
        procurement.status = S.NEED_APPROVED
        procurement.need_approved_at = timezone.now()
        procurement.save(update_fields=["status", "need_approved_at", "updated_at"])
        _moved(procurement, by, S.NEED_FILED, "approve_need")
    return procurement


def announce(*, procurement, by, agency="", announced_on=None, bids_close_at=None) -> Procurement:
    """The agency announces the tender (招标公告); bids are taken until they close."""
    with transaction.atomic():
        procurement = _locked(procurement)
        _require(by, "change", procurement)
        _expect(procurement, _("announce the tender"), S.NEED_APPROVED)
        agency = (agency or procurement.agency or "").strip()
        if not agency:
            raise ValidationError(
                {"agency": _("Name the procurement agency that runs the tender.")}
            )
        announced_on = announced_on or timezone.localdate()
        if bids_close_at and bids_close_at.date() < announced_on:
            raise ValidationError(
                {"bids_close_at": _("Bids cannot close before the tender is announced.")}
            )
        procurement.agency = agency
        procurement.announced_on = announced_on
        procurement.bids_close_at = bids_close_at
        procurement.status = S.ANNOUNCED
        procurement.save(
            update_fields=["agency", "announced_on", "bids_close_at", "status", "updated_at"]
        )
        _moved(procurement, by, S.NEED_APPROVED, "announce")
    return procurement


def submit_bid(*, procurement, vendor, amount, by, now=None) -> Bid:
    """Record a vendor's bid while the tender is open; one per vendor, not
    above the budget."""
    now = now or timezone.now()
    amount = _money(amount)
    with transaction.atomic():
        procurement = _locked(procurement)
        _require(by, "change", procurement)
        _expect(procurement, _("take a bid"), S.ANNOUNCED)
        if procurement.bids_close_at and now > procurement.bids_close_at:
            raise ValidationError(
                _("The bids closed at %(at)s.") % {"at": procurement.bids_close_at}
            )
        if amount > procurement.budget:
            raise ValidationError(
                {
                    "amount": _("The bid is above the budget of %(budget)s yuan.")
                    % {"budget": formats.format_amount(procurement.budget)}
                }
            )
        try:
            with transaction.atomic():
                bid = Bid.objects.create(procurement=procurement, vendor=vendor, amount=amount)
        except IntegrityError as exc:
            raise ValidationError(
                _("%(vendor)s has already bid.") % {"vendor": vendor}, code="duplicate"
            ) from exc
    return bid


# --- Expert draw -----------------------------------------------------------------------


def eligible_experts(procurement):
    """The pool a draw takes from (available experts, by id) and those left
    out with their reason: an expert of a bidding vendor or with a declared
    conflict with one."""
    vendor_ids = set(procurement.bids.values_list("vendor_id", flat=True))
    pool, excluded = [], {}
    experts = Expert.objects.filter(available=True).prefetch_related("conflicts").order_by("pk")
    for expert in experts:
        if expert.vendor_id in vendor_ids:
            excluded[str(expert.pk)] = "affiliated"
        elif any(v.pk in vendor_ids for v in expert.conflicts.all()):
            excluded[str(expert.pk)] = "conflict"
        else:
            pool.append(expert.pk)
    return pool, excluded


def draw_from(pool, seed, count) -> list[int]:
    """The experts a seed draws from a pool: the same seed and pool give the
    same experts in the same order."""
    return random.Random(f"{seed}").sample(sorted(pool), count)


def draw_experts(*, procurement, by, seed=None, now=None) -> list[Panelist]:
    """Close the bids and draw the review panel at random from the pool; the
    seed, the pool and the excluded experts are kept so the draw can be
    reproduced (``reproduce_draw``)."""
    now = now or timezone.now()
    with transaction.atomic():
        procurement = _locked(procurement)
        _require(by, "change", procurement)
        _expect(procurement, _("draw the experts"), S.ANNOUNCED)
        if procurement.bids_close_at and now < procurement.bids_close_at:
            raise ValidationError(
                _("The bids are open until %(at)s: draw the experts after they close.")
                % {"at": procurement.bids_close_at},
                code="open",
            )
        if not procurement.bids.exists():
            raise ValidationError(
                _("No bid came: declare the procurement failed instead."), code="no_bids"
            )
        pool, excluded = eligible_experts(procurement)
        if len(pool) < procurement.expert_count:
            raise ValidationError(
                _("Only %(n)s experts of the pool are free of conflicts; %(k)s are needed.")
                % {"n": len(pool), "k": procurement.expert_count},
                code="pool",
            )
        seed = str(seed) if seed is not None else secrets.token_hex(16)
        drawn = draw_from(pool, seed, procurement.expert_count)
        panel = Panelist.objects.bulk_create(
            Panelist(procurement=procurement, expert_id=pk, position=i)
            for i, pk in enumerate(drawn, start=1)
        )
        procurement.draw_seed = seed
        procurement.draw_pool = sorted(pool)
        procurement.draw_excluded = excluded
        procurement.drawn_at = now
        procurement.drawn_by = by
        procurement.status = S.REVIEW
        procurement.save(
            update_fields=[
                "draw_seed",
                "draw_pool",
                "draw_excluded",
                "drawn_at",
                "drawn_by",
                "status",
                "updated_at",
            ]
        )
        _moved(procurement, by, S.ANNOUNCED, "draw_experts", drawn=drawn, seed=seed)
    return panel


def reproduce_draw(procurement) -> list[int]:
    """The experts the stored seed draws from the stored pool (equal to the
    panel unless the records were tampered with)."""
    if not procurement.draw_seed:
        return []
    return draw_from(procurement.draw_pool, procurement.draw_seed, procurement.expert_count)


# --- Scores and award ------------------------------------------------------------------


def score_bid(*, bid, expert, points, by) -> list[Score]:
    """A drawn expert's points for a bid, ``{criterion_id: points}``, each
    within the criterion's maximum; given again, they replace the earlier ones."""
    with transaction.atomic():
        procurement = _locked(bid.procurement)
        _require(by, "change", procurement)
        _expect(procurement, _("score a bid"), S.REVIEW)
        if bid.procurement_id != procurement.pk:
            raise ValidationError(_("This bid is not of this procurement."), code="bid")
        if not procurement.panel.filter(expert=expert).exists():
            raise ValidationError(
                _("%(expert)s was not drawn for this review.") % {"expert": expert},
                code="expert",
            )
        criteria = {c.pk: c for c in procurement.criteria.all()}
        points = {int(k): v for k, v in dict(points).items()}
        unknown = set(points) - set(criteria)
        if unknown:
            raise ValidationError(_("Unknown criterion."), code="criterion")
        scores = []
        for criterion_id, value in points.items():
            criterion = criteria[criterion_id]
            try:
                value = Decimal(str(value))
            except ArithmeticError as exc:
                raise ValidationError(_("Enter points as a number."), code="points") from exc
            if value < ZERO or value > criterion.max_points:
                raise ValidationError(
                    _("%(criterion)s: points run from 0 to %(max)s.")
                    % {"criterion": criterion.name, "max": criterion.max_points},
                    code="points",
                )
            score, _created = Score.objects.update_or_create(
                bid=bid, expert=expert, criterion=criterion, defaults={"points": value}
            )
            scores.append(score)
    return scores


def totals(procurement) -> dict[int, Decimal]:
    """Each bid's total: the mean over the drawn experts of their sums."""
    experts = max(procurement.panel.count(), 1)
    sums: dict[int, Decimal] = {bid.pk: ZERO for bid in procurement.bids.all()}
    for bid_id, points in Score.objects.filter(bid__procurement=procurement).values_list(
        "bid_id", "points"
    ):
        sums[bid_id] += points
    return {
        pk: (total / experts).quantize(CENT, rounding=ROUND_HALF_UP) for pk, total in sums.items()
    }


def _grant(vendor, subprojects):
    from django.contrib.auth import get_user_model

    users = Membership.objects.active().filter(role=Role.VENDOR, organisation_id=vendor.pk)
    user_ids = list(users.values_list("user_id", flat=True))

    for user in get_user_model().objects.filter(pk__in=user_ids):
        for sub in subprojects:
            for perm in GRANTS:
                assign_perm(perm, user, sub)
    return user_ids


def grant_new_staff(membership) -> int:
    """A vendor's staff member who joins after an award gets the same
    per-object grants as the staff of the day: on every sub-project the
    vendor currently holds (its ``vendor``; ending the contract clears it).
    Called when a vendor membership is created (``training.apps``: a
    ``post_save`` receiver). Returns the number of sub-projects granted."""
    if membership.role != Role.VENDOR or not membership.organisation_id:
        return 0
    subprojects = list(SubProject.objects.filter(vendor_id=membership.organisation_id))
    for sub in subprojects:
        for perm in GRANTS:
            assign_perm(perm, membership.user, sub)
    return len(subprojects)


def _withdraw(vendor, subprojects):
    """Remove the grants from every staff member the vendor ever had."""
    from django.contrib.auth import get_user_model

    user_ids = Membership.objects.filter(role=Role.VENDOR, organisation_id=vendor.pk).values(
        "user_id"
    )
    for user in get_user_model().objects.filter(pk__in=user_ids):
        for sub in subprojects:
            for perm in GRANTS:
                remove_perm(perm, user, sub)


def award(*, procurement, by) -> Bid:
    """Award to the highest total once every drawn expert scored every bid
    on every criterion (a tie goes to the lower amount, then the earlier
    bid). The vendor's staff get grants on the sub-projects."""
    with transaction.atomic():
        procurement = _locked(procurement)
        _require(by, "change", procurement)
        _expect(procurement, _("award"), S.REVIEW)
        bids = list(procurement.bids.select_related("vendor"))
        needed = len(bids) * procurement.panel.count() * procurement.criteria.count()
        given = Score.objects.filter(bid__procurement=procurement).count()
        if given < needed:
            raise ValidationError(
                _(
                    "%(missing)s scores are missing: every drawn expert scores every bid on "
                    "every criterion before the award."
                )
                % {"missing": needed - given},
                code="scores",
            )
        bid_totals = totals(procurement)
        for bid in bids:
            bid.total_score = bid_totals[bid.pk]
        Bid.objects.bulk_update(bids, ["total_score"])
        winner = sorted(bids, key=lambda b: (-b.total_score, b.amount, b.submitted_at, b.pk))[0]
        procurement.awarded_bid = winner
        procurement.awarded_at = timezone.now()
        procurement.status = S.AWARDED
        procurement.save(update_fields=["awarded_bid", "awarded_at", "status", "updated_at"])
        subprojects = list(procurement.subprojects.all())
        SubProject.objects.filter(pk__in=[s.pk for s in subprojects]).update(vendor=winner.vendor)
        granted = _grant(winner.vendor, subprojects)
        _moved(
            procurement,
            by,
            S.REVIEW,
            "award",
            winner=winner.pk,
            totals={str(k): str(v) for k, v in bid_totals.items()},
            granted=granted,
        )
    return winner


def publish_award_notice(*, procurement, by, on=None) -> Procurement:
    """The award notice (中标公告 / 中标通知书) is published."""
    with transaction.atomic():
        procurement = _locked(procurement)
        _require(by, "change", procurement)
        _expect(procurement, _("publish the award notice"), S.AWARDED)
        if procurement.award_notice_on:
            raise ValidationError(_("The award notice is already published."), code="state")
        procurement.award_notice_on = on or timezone.localdate()
        procurement.save(update_fields=["award_notice_on", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            procurement,
            actor=by,
            changes={"award_notice_on": procurement.award_notice_on},
            message="award_notice",
        )
    return procurement


def fail(*, procurement, by, reason) -> Procurement:
    """Declare the procurement failed (流标), e.g. too few valid bids."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    with transaction.atomic():
        procurement = _locked(procurement)
        _require(by, "change", procurement)
        source = procurement.status
        _expect(procurement, _("declare it failed"), S.ANNOUNCED, S.REVIEW)
        procurement.status = S.FAILED
        procurement.reason = reason[:300]
        procurement.save(update_fields=["status", "reason", "updated_at"])
        _moved(procurement, by, source, reason)
    return procurement


# --- Contract and payments -------------------------------------------------------------


def sign_contract(
    *,
    procurement,
    by,
    number,
    signed_on=None,
    amount=None,
    performance_bond=ZERO,
    bond_received_on=None,
    steps=(),
) -> Contract:
    """Sign the contract with the winner once the award notice is out and the
    performance bond (履约保证金) received; ``steps`` are ``(kind, amount,
    due_condition)``, never more than the contract in all."""
    with transaction.atomic():
        procurement = _locked(procurement)
        _require(by, "change", procurement)
        _expect(procurement, _("sign the contract"), S.AWARDED)
        if not procurement.award_notice_on:
            raise ValidationError(
                _("Publish the award notice before the contract is signed."), code="state"
            )
        bid = procurement.awarded_bid
        amount = _money(amount if amount is not None else bid.amount)
        if amount > bid.amount:
            raise ValidationError(
                {
                    "amount": _("The contract cannot exceed the winning bid of %(amount)s yuan.")
                    % {"amount": formats.format_amount(bid.amount)}
                }
            )
        bond = Decimal(str(performance_bond or 0)).quantize(CENT)
        if bond < ZERO or bond > amount:
            raise ValidationError(
                {"performance_bond": _("The performance bond runs from 0 to the contract amount.")}
            )
        if bond > ZERO and not bond_received_on:
            raise ValidationError(
                {"bond_received_on": _("The performance bond must be received before signing.")}
            )
        signed_on = signed_on or timezone.localdate()
        steps = [(kind, _money(value), due) for kind, value, due in steps]
        if sum((s[1] for s in steps), ZERO) > amount:
            raise ValidationError(
                {"steps": _("The payment steps add up to more than the contract.")}
            )
        if Contract.objects.filter(number=number).exists():
            raise ValidationError({"number": _("This contract number is taken.")})
        contract = Contract.objects.create(
            number=number,
            procurement=procurement,
            center=procurement.center,
            vendor=bid.vendor,
            amount=amount,
            signed_on=signed_on,
            performance_bond=bond,
            bond_received_on=bond_received_on,
        )
        contract.subprojects.set(procurement.subprojects.all())
        for position, (kind, value, due) in enumerate(steps, start=1):
            step = PaymentStep(
                contract=contract, position=position, kind=kind, amount=value, due_condition=due
            )
            if due == DueCondition.ON_SIGNING:
                step.status = PaymentStepStatus.DUE
                step.due_on = signed_on
            step.full_clean(exclude=["contract"])
            step.save()
        procurement.status = S.CONTRACTED
        procurement.save(update_fields=["status", "updated_at"])
        _moved(procurement, by, S.AWARDED, "sign_contract", contract=contract.number)
    return contract


def _locked_step(step):
    return PaymentStep.objects.select_for_update().select_related("contract").get(pk=step.pk)


def record_invoice(*, step, by, invoice_number, invoiced_on=None) -> PaymentStep:
    """The vendor's invoice makes a step "against invoice" due (预付款凭发票)."""
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        raise ValidationError({"invoice_number": _("Enter the invoice number.")})
    with transaction.atomic():
        step = _locked_step(step)
        _require(by, "change", step.contract)
        if step.contract.status == ContractStatus.ENDED:
            raise ValidationError(_("The contract has ended."), code="state")
        if step.status != PaymentStepStatus.PENDING:
            raise ValidationError(
                _("This payment step is already %(status)s.")
                % {"status": step.get_status_display()},
                code="state",
            )
        if step.due_condition != DueCondition.AGAINST_INVOICE:
            raise ValidationError(
                _("This payment step falls due %(when)s, not against an invoice.")
                % {"when": step.get_due_condition_display()},
                code="state",
            )
        step.invoice_number = invoice_number
        step.invoiced_on = invoiced_on or timezone.localdate()
        step.status = PaymentStepStatus.DUE
        step.due_on = step.invoiced_on
        step.save(update_fields=["invoice_number", "invoiced_on", "status", "due_on", "updated_at"])
    return step


def accept_contract(*, contract, by, on=None) -> Contract:
    """Acceptance (验收): the steps "after acceptance" fall due."""
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        _require(by, "change", contract)
        if contract.status != ContractStatus.ACTIVE:
            raise ValidationError(
                _("Cannot accept: the contract is %(status)s; only one in force can be.")
                % {"status": contract.get_status_display()},
                code="state",
            )
        on = on or timezone.localdate()
        contract.status = ContractStatus.ACCEPTED
        contract.accepted_on = on
        contract.save(update_fields=["status", "accepted_on", "updated_at"])
        contract.steps.filter(
            due_condition=DueCondition.AFTER_ACCEPTANCE, status=PaymentStepStatus.PENDING
        ).update(status=PaymentStepStatus.DUE, due_on=on, updated_at=timezone.now())
        audit.record(
            AuditAction.UPDATE,
            contract,
            actor=by,
            changes={"status": [ContractStatus.ACTIVE, ContractStatus.ACCEPTED]},
            message="accept",
        )
    return contract


def pay_step(*, step, by, paid_on=None) -> PaymentStep:
    """Pay a step once it is due (the funding app records the disbursement)."""
    with transaction.atomic():
        step = _locked_step(step)
        _require(by, "change", step.contract)
        if step.status != PaymentStepStatus.DUE:
            if step.status == PaymentStepStatus.PAID:
                message = _("This payment step is already paid.")
            elif step.due_condition == DueCondition.AGAINST_INVOICE:
                message = _("This payment step is not due yet: record the vendor's invoice first.")
            else:
                message = _("This payment step is not due yet: it falls due after acceptance.")
            raise ValidationError(message, code="state")
        step.status = PaymentStepStatus.PAID
        step.paid_on = paid_on or timezone.localdate()
        step.save(update_fields=["status", "paid_on", "updated_at"])
    return step


def end_contract(*, contract, by, on=None, reason="") -> Contract:
    """End the contract: after acceptance with every step paid, or earlier
    (terminated) with a reason. The vendor's grants on the sub-projects are
    withdrawn and the sub-projects no longer name it."""
    reason = (reason or "").strip()
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        _require(by, "change", contract)
        if contract.status == ContractStatus.ENDED:
            raise ValidationError(_("The contract has already ended."), code="state")
        if contract.status == ContractStatus.ACTIVE and not reason:
            raise ValidationError(
                {"reason": _("The contract is not accepted yet: say why it ends early.")}
            )
        if (
            contract.status == ContractStatus.ACCEPTED
            and not reason
            and contract.steps.exclude(status=PaymentStepStatus.PAID).exists()
        ):
            raise ValidationError(
                _("Unpaid payment steps remain: pay them, or say why the contract ends."),
                code="state",
            )
        source = contract.status
        contract.status = ContractStatus.ENDED
        contract.ended_on = on or timezone.localdate()
        contract.save(update_fields=["status", "ended_on", "updated_at"])
        subprojects = list(contract.subprojects.all())
        _withdraw(contract.vendor, subprojects)
        SubProject.objects.filter(
            pk__in=[s.pk for s in subprojects], vendor=contract.vendor
        ).update(vendor=None)
        audit.record(
            AuditAction.UPDATE,
            contract,
            actor=by,
            changes={"status": [source, ContractStatus.ENDED]},
            message=reason or "end",
        )
    return contract


# --- What a user may do next -----------------------------------------------------------

NEXT = {
    S.NEED_FILED: ("approve_need",),
    S.NEED_APPROVED: ("announce",),
    S.ANNOUNCED: ("draw_experts", "fail"),
    S.REVIEW: ("award", "fail"),
    S.AWARDED: ("publish_award_notice", "sign_contract"),
    S.CONTRACTED: (),
    S.FAILED: (),
}


def next_steps(procurement) -> list[str]:
    """The steps the procurement's state allows now."""
    steps = list(NEXT.get(procurement.status, ()))
    if procurement.status == S.AWARDED:
        steps = ["sign_contract"] if procurement.award_notice_on else ["publish_award_notice"]
    return steps
