from django import template

from core import formats

register = template.Library()


@register.filter
def pct(value):
    """A percentage already computed (``Decimal("100.0")``) → ``100.0%``."""
    if value is None:
        return formats.EMPTY
    return f"{value}%"
