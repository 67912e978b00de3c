from django import template

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
