"""Funding pages: the budget lines, a line with its allocations and payments,
a holder's budget book with the policy rules checked, and the bureau's
execution overview. Figures come from ``services``; scope from ``restrict``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic

from centers.models import Center, District, School
from core import formats
from core.generic import ScopedDetailView, ScopedListView, ScopedMixin
from core.permissions import can, sees_all

from . import services
from .filtersets import BudgetLineFilterSet
from .forms import AllocateForm, DisburseForm, ReverseAllocationForm, ReverseDisbursementForm
from .models import Allocation, BudgetLine, Disbursement, HolderKind

HOLDERS = {"center": Center, "district": District, "school": School}


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


class LineListView(ScopedListView):
    model = BudgetLine
    filterset_class = BudgetLineFilterSet
    template_name = "funding/line_list.html"
    title = _("Budget lines")
    empty_message = _("No budget line in your scope.")

    def get_queryset(self):
        return super().get_queryset().select_related("center", "district", "school")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["totals"] = services.execution(self.object_list)
        return ctx


class LineDetailView(ScopedDetailView):
    model = BudgetLine
    template_name = "funding/line_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("center", "district", "school")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        line = self.object
        ctx["allocations"] = (
            Allocation.objects.restrict(self.request.user)
            .filter(line=line)
            .select_related("plan", "project", "subproject", "center", "reverses", "created_by")
            .prefetch_related(
                Prefetch(
                    "disbursements",
                    queryset=Disbursement.objects.restrict(self.request.user).select_related(
                        "contract", "payment_step", "reverses"
                    ),
                )
            )
        )
        user = self.request.user
        ctx["costs"] = services.trainee_costs(
            services.funded_subprojects(self.get_queryset().filter(pk=line.pk))
        )
        ctx["can_allocate"] = can(user, "change", line)
        # What the user may pay from or reverse: one query each, whatever the rows.
        ctx["movable"] = set(
            Allocation.objects.restrict(user, "add").filter(line=line).values_list("pk", flat=True)
        )
        ctx["reversible"] = set(
            Disbursement.objects.restrict(user, "add")
            .filter(allocation__line=line)
            .values_list("pk", flat=True)
        )
        return ctx


class BookView(ScopedMixin, generic.TemplateView):
    """A holder's budget book for a year: its lines, their execution, and
    each policy rule with its figures, passing or failing."""

    model = BudgetLine
    template_name = "funding/book.html"

    def get_holder(self):
        kind = self.kwargs["kind"]
        if kind == HolderKind.BUREAU:
            if not sees_all(self.request.user, "view", BudgetLine):
                raise Http404
            return None
        model = HOLDERS.get(kind)
        if model is None:
            raise Http404
        return get_object_or_404(
            model.objects.restrict(self.request.user, "funding_book"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        holder = self.get_holder()
        kind = self.kwargs["kind"]
        lines = self.get_queryset().filter(holder_kind=kind, year=year)
        if holder is not None:
            lines = lines.filter(**{kind: holder})
        checks = []
        if kind in ("district", "school"):
            checks = services.evaluate_policies(holder=holder, year=year)
        ctx.update(
            holder=holder,
            holder_label=holder or HolderKind.BUREAU.label,
            kind=kind,
            year=year,
            years=[year - 1, year, year + 1],
            lines=lines.select_related("center", "district", "school"),
            totals=services.execution(lines),
            checks=checks,
            costs=services.trainee_costs(services.funded_subprojects(lines)),
        )
        return ctx


class OverviewView(ScopedMixin, generic.TemplateView):
    """The bureau's execution overview: per year, per holder for one year,
    and the investment in the centers to date."""

    model = BudgetLine
    template_name = "funding/overview.html"

    def get_context_data(self, **kwargs):
        if not sees_all(self.request.user, "view", BudgetLine):
            raise PermissionDenied
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        lines = self.get_queryset()
        ctx.update(
            year=year,
            years=[year - 1, year, year + 1],
            by_year=services.execution_by_year(lines),
            by_holder=services.execution_by_holder(lines, year=year),
            totals=services.execution(lines.filter(year=year)),
            investment=services.investment_to_date(since=2018),
        )
        return ctx


# --- Moving money: forms calling the services (POST, then redirect to the line) --------


def _scoped(request, model, action, pk, related=()):
    """The object if the user may ``action`` on it: no right at all → 403,
    outside the scope → 404."""
    if not can(request.user, action, model):
        raise PermissionDenied
    queryset = model.objects.restrict(request.user, action)
    if related:
        queryset = queryset.select_related(*related)
    return get_object_or_404(queryset, pk=pk)


def _form_page(request, form, *, title, line, subject=""):
    return render(
        request,
        "funding/move_form.html",
        {"form": form, "title": title, "line": line, "subject": subject},
    )


def _refused(form, exc):
    """A service's refusal shown on the form (its Chinese message)."""
    form.add_error(None, exc)


@login_required
def line_allocate(request, pk):
    line = _scoped(request, BudgetLine, "change", pk)
    form = AllocateForm(request.POST or None, user=request.user, line=line)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.allocate(
                line=line,
                amount=data["amount"],
                made_on=data.get("made_on"),
                reason=data.get("reason", ""),
                by=request.user,
                **form.targets(),
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The allocation was recorded."))
            return redirect(line)
    return _form_page(request, form, title=_("Allocate from the line"), line=line)


@login_required
def allocation_disburse(request, pk):
    allocation = _scoped(request, Allocation, "add", pk, related=("line",))
    if allocation.reverses_id:
        raise Http404
    form = DisburseForm(request.POST or None, allocation=allocation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.disburse(
                allocation=allocation,
                amount=data["amount"],
                kind=data["kind"],
                paid_on=data.get("paid_on"),
                contract=data.get("contract"),
                payment_step=data.get("payment_step"),
                payee=data.get("payee", ""),
                reference=data.get("reference", ""),
                by=request.user,
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect(allocation.line)
    return _form_page(
        request,
        form,
        title=_("Pay from the allocation"),
        line=allocation.line,
        subject=allocation.target,
    )


@login_required
def allocation_reverse(request, pk):
    allocation = _scoped(request, Allocation, "add", pk, related=("line",))
    if allocation.reverses_id:
        raise Http404
    form = ReverseAllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_allocation(
                allocation=allocation,
                amount=form.cleaned_data.get("amount"),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The allocation was reversed."))
            return redirect(allocation.line)
    return _form_page(
        request,
        form,
        title=_("Reverse the allocation"),
        line=allocation.line,
        subject=allocation.target,
    )


@login_required
def disbursement_reverse(request, pk):
    payment = _scoped(request, Disbursement, "add", pk, related=("allocation__line",))
    if payment.reverses_id:
        raise Http404
    form = ReverseDisbursementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_disbursement(
                disbursement=payment,
                amount=form.cleaned_data.get("amount"),
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The payment was reversed."))
            return redirect(payment.allocation.line)
    return _form_page(
        request,
        form,
        title=_("Refund or correct the payment"),
        line=payment.allocation.line,
        subject=" · ".join(
            (
                formats.format_date(payment.paid_on),
                payment.get_kind_display(),
                formats.format_money(payment.amount),
            )
        ),
    )
