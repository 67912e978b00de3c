"""Funding pages: the budget lines, a line with its allocations and payments,
a holder's budget book with the policy rules checked, and the bureau's
execution overview. Figures come from ``services``; scope from ``restrict``."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic

from centers.models import Center, District, School
from core.generic import ScopedDetailView, ScopedListView, ScopedMixin
from core.permissions import sees_all

from . import services
from .filtersets import BudgetLineFilterSet
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
