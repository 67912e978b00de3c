from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def answer_of(given, question_id):
    """The value given to a question in a form sent back with errors."""
    return (given or {}).get(str(question_id), "")


@register.filter
def heat(value):
    """The heat-map class of a dimension score (1–5): no inline style (CSP)."""
    if value in (None, ""):
        return "text-muted"
    number = float(value)
    if number >= 4:
        return "bg-success-subtle"
    if number >= 3:
        return "bg-warning-subtle"
    return "bg-danger-subtle"


@register.filter
def for_appraisee(widget_html, pk):
    """A field rendered once by the view (``__pk__`` in its id), for one
    principal's form: the id made that principal's."""
    return mark_safe(str(widget_html).replace("__pk__", str(int(pk))))  # noqa: S308 - our own render
