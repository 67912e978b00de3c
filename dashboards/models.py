from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centers.models import District
from core.permissions import RestrictedQuerySet


class MonthlySnapshot(models.Model):
    """One key figure of one month (月度快照), for the city (``district``
    empty) or one district: taken by beat from maintained aggregates so the
    dashboards show trends without recomputing the past. The open month's
    row follows the figures until the month ends; a closed month's row
    (``closed``) never changes again (``services.take_snapshot``)."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    key = models.CharField(_("figure"), max_length=60)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True)
    closed = models.BooleanField(_("closed"), default=False)
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly snapshot")
        verbose_name_plural = _("monthly snapshots")
        ordering = ["month", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "key"],
                condition=Q(district__isnull=True),
                name="dashboards_snapshot_one_city_row",
            ),
            models.UniqueConstraint(
                fields=["month", "key", "district"],
                condition=Q(district__isnull=False),
                name="dashboards_snapshot_one_district_row",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.key}"
