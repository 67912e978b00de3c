from django import template

register = template.Library()


@register.filter
def answer_of(given, question_id):
    """The value given to a question in a form sent back with errors."""
    return (given or {}).get(str(question_id), "")
