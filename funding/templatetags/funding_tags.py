from decimal import Decimal

from django import template

from core import formats

register = template.Library()


@register.filter
def yuan(value):
    """``Decimal("5002800")`` → ``¥5,002,800.00``; ``None`` → ``—``."""
    if value in (None, ""):
        return formats.EMPTY
    return f"¥{Decimal(value):,.2f}"


@register.filter
def pct(value):
    """A percentage already computed (``Decimal("100.0")``) → ``100.0%``."""
    if value is None:
        return formats.EMPTY
    return f"{value}%"
