"""Budget execution in Excel: every line in the user's scope with its
budget, allocated, disbursed and rate, and a sheet of payments."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.exports import Exporter, Sheet, registry
from core.formats import money

from .models import BudgetLine, Disbursement

CHUNK = 1000


@registry.register
class ExecutionExporter(Exporter):
    identifier = "funding-execution"
    name = _("Budget execution")
    description = _("Every budget line in your scope with its allocations and payments.")
    permission = "funding.view_budgetline"

    def lines(self):
        return (
            BudgetLine.objects.restrict(self.user)
            .select_related("center", "district", "school")
            .order_by("-year", "holder_kind", "pk")
        )

    def sheets(self):
        lines = self.lines()
        yield Sheet(
            str(_("Budget lines")),
            [
                str(h)
                for h in (
                    _("Year"),
                    _("Held by"),
                    _("Line"),
                    pgettext_lazy("funding", "Source"),
                    _("Purpose"),
                    _("Budget"),
                    _("Allocated"),
                    _("Disbursed"),
                    _("Disbursement rate (%)"),
                )
            ],
            (
                [
                    line.year,
                    str(line.holder),
                    line.name,
                    line.get_source_display(),
                    line.get_purpose_display(),
                    money(line.amount),
                    money(line.allocated),
                    money(line.disbursed),
                    line.rate,
                ]
                for line in lines.iterator(chunk_size=CHUNK)
            ),
            lines.count(),
        )
        payments = (
            Disbursement.objects.restrict(self.user)
            .select_related("allocation__line", "contract")
            .order_by("allocation__line_id", "paid_on", "pk")
        )
        yield Sheet(
            str(_("Payments")),
            [
                str(h)
                for h in (
                    _("Line"),
                    _("Paid on"),
                    _("Kind"),
                    _("Amount"),
                    _("Contract"),
                    _("Payee"),
                    _("Voucher number"),
                )
            ],
            (
                [
                    d.allocation.line.name,
                    d.paid_on,
                    d.get_kind_display(),
                    money(d.amount),
                    d.contract.number if d.contract else "",
                    d.payee,
                    d.reference,
                ]
                for d in payments.iterator(chunk_size=CHUNK)
            ),
            payments.count(),
        )
