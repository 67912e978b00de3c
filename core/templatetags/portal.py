from django import template

register = template.Library()


@register.filter
def attr(obj, path):
    """``obj|attr:"school.district.name"``; calls ``get_FOO_display`` where there is one."""
    value = obj
    for part in str(path).split("."):
        if value is None:
            return ""
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, "")
        if callable(value):
            value = value()
    return "" if value is None else value


@register.filter
def percent(value, digits=1):
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def verbose_name(obj):
    return obj._meta.verbose_name


@register.filter
def verbose_name_plural(obj):
    return obj._meta.verbose_name_plural
