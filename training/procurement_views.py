"""Procurement pages: the list and the page of one procurement (its state,
steps with dates and amounts, bids with their scores, the drawn experts, the
contract and its payment steps, and the next steps the user may take), the
expert pool and the practice bases. Thin: every rule is in
``services.procurement``; every object comes through ``restrict``."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.generic import ScopedDetailView, ScopedListView
from core.permissions import can

from .filtersets import ExpertFilterSet, PracticeBaseFilterSet, ProcurementFilterSet
from .models import (
    Bid,
    Contract,
    DueCondition,
    Expert,
    Panelist,
    PaymentKind,
    PaymentStep,
    PracticeBase,
    Procurement,
    Score,
)
from .services import procurement as proc


def _errors(request, exc):
    if isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, str(exc) or _("You may not do this."))


class ProcurementListView(ScopedListView):
    model = Procurement
    filterset_class = ProcurementFilterSet
    title = gettext_lazy("Procurements")
    template_name = "training/procurement_list.html"
    empty_message = gettext_lazy("No procurements match.")

    def get_base_queryset(self):
        return (
            Procurement.objects.select_related("center", "awarded_bid__vendor")
            .annotate(n_bids=Count("bids", distinct=True))
            .order_by("-need_filed_at", "-id")
        )


class ProcurementDetailView(ScopedDetailView):
    model = Procurement
    template_name = "training/procurement_detail.html"

    def get_base_queryset(self):
        return Procurement.objects.select_related(
            "center", "drawn_by", "awarded_bid__vendor"
        ).prefetch_related("subprojects", "criteria")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        p = self.object
        user = self.request.user
        criteria = list(p.criteria.all())
        panel = list(Panelist.objects.filter(procurement=p).select_related("expert"))
        bids = list(
            Bid.objects.restrict(user)
            .filter(procurement=p)
            .select_related("vendor")
            .prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("id")))
        )
        rows = []
        for bid in bids:
            points = {(s.expert_id, s.criterion_id): s.points for s in bid.scores.all()}
            rows.append(
                {
                    "bid": bid,
                    "experts": [
                        {
                            "expert": member.expert,
                            "points": [points.get((member.expert_id, c.pk)) for c in criteria],
                            "sum": sum(
                                (points.get((member.expert_id, c.pk)) or 0 for c in criteria),
                                Decimal("0"),
                            ),
                        }
                        for member in panel
                    ],
                }
            )
        contract = Contract.objects.restrict(user).filter(procurement=p).first()
        steps = list(contract.steps.all()) if contract else []
        may_change = can(user, "change", p)
        ctx.update(
            criteria=criteria,
            panel=panel,
            bid_rows=rows,
            excluded=len(p.draw_excluded or {}),
            reproduced=proc.reproduce_draw(p) == [m.expert_id for m in panel],
            contract=contract,
            payment_steps=steps,
            may_change=may_change,
            next_steps=proc.next_steps(p) if may_change else [],
            may_change_contract=bool(contract) and can(user, "change", contract),
            payment_kinds=PaymentKind.choices,
            due_conditions=DueCondition.choices,
            timeline=[
                (_("Need filed"), p.need_filed_at, p.budget),
                (_("Need approved"), p.need_approved_at, None),
                (_("Tender announced"), p.announced_on, None),
                (_("Bids close"), p.bids_close_at, None),
                (_("Experts drawn"), p.drawn_at, None),
                (_("Awarded"), p.awarded_at, p.awarded_bid.amount if p.awarded_bid else None),
                (_("Award notice"), p.award_notice_on, None),
                (
                    _("Contract signed"),
                    contract.signed_on if contract else None,
                    contract.amount if contract else None,
                ),
                (
                    _("Performance bond received"),
                    contract.bond_received_on if contract else None,
                    contract.performance_bond if contract else None,
                ),
                (_("Accepted"), contract.accepted_on if contract else None, None),
            ],
        )
        return ctx


def _date(value):
    return parse_date(value) if value else None


def _money(value):
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        raise ValidationError(_("Enter an amount in yuan.")) from None


@login_required
@require_POST
def procurement_step(request, pk):
    """One step of the procurement, named by ``step``."""
    if not can(request.user, "change", Procurement):
        raise PermissionDenied
    p = get_object_or_404(Procurement.objects.restrict(request.user, "change"), pk=pk)
    data, by = request.POST, request.user
    step = data.get("step", "")
    try:
        if step == "approve_need":
            proc.approve_need(procurement=p, by=by)
        elif step == "announce":
            proc.announce(procurement=p, by=by, agency=data.get("agency", ""))
        elif step == "draw_experts":
            proc.draw_experts(procurement=p, by=by)
        elif step == "award":
            proc.award(procurement=p, by=by)
        elif step == "publish_award_notice":
            proc.publish_award_notice(procurement=p, by=by)
        elif step == "fail":
            proc.fail(procurement=p, by=by, reason=data.get("reason", ""))
        elif step == "sign_contract":
            steps = []
            for kind, due in (
                (PaymentKind.PREPAYMENT, DueCondition.AGAINST_INVOICE),
                (PaymentKind.FINAL, DueCondition.AFTER_ACCEPTANCE),
            ):
                amount = _money(data.get(kind))
                if amount:
                    steps.append((kind, amount, due))
            proc.sign_contract(
                procurement=p,
                by=by,
                number=data.get("number", "").strip(),
                performance_bond=_money(data.get("performance_bond")) or 0,
                bond_received_on=_date(data.get("bond_received_on")),
                steps=steps,
            )
        else:
            raise ValidationError(_("Unknown step."))
        messages.success(request, _("Done."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect(p.get_absolute_url())


@login_required
@require_POST
def contract_step(request, pk):
    """Accept or end a contract; record an invoice on or pay one of its steps."""
    if not can(request.user, "change", Contract):
        raise PermissionDenied
    contract = get_object_or_404(Contract.objects.restrict(request.user, "change"), pk=pk)
    data, by = request.POST, request.user
    step = data.get("step", "")
    try:
        if step == "accept":
            proc.accept_contract(contract=contract, by=by)
        elif step == "end":
            proc.end_contract(contract=contract, by=by, reason=data.get("reason", ""))
        elif step in ("invoice", "pay"):
            payment = get_object_or_404(
                PaymentStep.objects.filter(contract=contract), pk=data.get("payment_step") or 0
            )
            if step == "invoice":
                proc.record_invoice(
                    step=payment, by=by, invoice_number=data.get("invoice_number", "")
                )
            else:
                proc.pay_step(step=payment, by=by)
        else:
            raise ValidationError(_("Unknown step."))
        messages.success(request, _("Done."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect(contract.procurement.get_absolute_url())


class ExpertListView(ScopedListView):
    model = Expert
    filterset_class = ExpertFilterSet
    title = gettext_lazy("Expert pool")
    empty_message = gettext_lazy("No experts match.")
    columns = [
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Organisation"), "organisation"),
        (gettext_lazy("Professional title"), "title"),
        (gettext_lazy("Stage"), "get_stage_display"),
        (gettext_lazy("Subjects"), "subjects"),
        (gettext_lazy("Affiliated vendor"), "vendor"),
        (gettext_lazy("Available"), "available"),
    ]

    def get_base_queryset(self):
        return Expert.objects.select_related("vendor").order_by("name", "id")


class PracticeBaseListView(ScopedListView):
    model = PracticeBase
    filterset_class = PracticeBaseFilterSet
    title = gettext_lazy("Practice bases")
    empty_message = gettext_lazy("No practice bases match.")
    columns = [
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Stage"), "get_stage_display"),
        (gettext_lazy("District"), "district"),
        (gettext_lazy("Subjects"), "subjects"),
        (gettext_lazy("Trainees at a time"), "capacity"),
        (gettext_lazy("Available"), "available"),
    ]

    def get_base_queryset(self):
        return PracticeBase.objects.select_related("district").order_by("stage", "name")
