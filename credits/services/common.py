"""Small pieces every credits rule uses: hours as decimals, dates, the
organisation a user registers hours for."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import DecimalField
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Center, District, School
from core.permissions import get_scope
from core.roles import Role

from ..models import Category, OrgKind, Source

ZERO = Decimal("0")
TENTH = Decimal("0.1")
MAX_ENTRY_HOURS = Decimal("1000")


CATEGORY_VALUES = frozenset(Category.values)
SOURCE_VALUES = frozenset(Source.values)
HOURS_FIELD = DecimalField(max_digits=9, decimal_places=1)


def as_hours(value) -> Decimal:
    """A sum read back from the database as hours with one decimal (SQLite
    returns sums of decimals as floats)."""
    return Decimal(str(value or 0)).quantize(TENTH)


def parse_hours(value) -> Decimal:
    """Hours as a positive Decimal with at most one decimal place; floats are
    read through their text so 1.1 stays 1.1."""
    if isinstance(value, bool):
        raise ValidationError(_("Hours must be a number."), code="hours")
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Hours must be a number."), code="hours") from exc
    if not hours.is_finite() or hours <= ZERO:
        raise ValidationError(_("Hours must be more than zero."), code="hours")
    if hours > MAX_ENTRY_HOURS:
        raise ValidationError(_("One entry may hold at most 1,000 hours."), code="hours")
    if hours != hours.quantize(TENTH, rounding=ROUND_HALF_UP):
        raise ValidationError(_("Hours have at most one decimal place."), code="hours")
    return hours.quantize(TENTH)


def _check_earned_on(earned_on, today=None):
    today = today or timezone.localdate()
    if earned_on > today:
        raise ValidationError(_("Hours cannot be earned in the future."), code="earned_on")
    if earned_on.year < 2000:
        raise ValidationError(_("The date is too far in the past."), code="earned_on")


def org_for(user) -> tuple[str, str]:
    """The organisation a user registers hours for: (kind, name)."""
    if user is None:
        return OrgKind.PORTAL, ""
    scope = get_scope(user)
    for role, kind, model in (
        (Role.DISTRICT_SYSTEM, OrgKind.SYSTEM, District),
        (Role.DISTRICT_STAFF, OrgKind.DISTRICT, District),
        (Role.CENTER_STAFF, OrgKind.CENTER, Center),
        (Role.SCHOOL_ADMIN, OrgKind.SCHOOL, School),
    ):
        ids = scope.ids(role)
        if ids:
            name = model.objects.filter(pk__in=ids).values_list("name", flat=True).first()
            return kind, name or ""
    return OrgKind.PORTAL, ""
